# Shared by run.sh, test.sh: install the Debian packages arc-runtime needs
# (only when one is missing, so a second run is quiet) and build with CMake.
set -euo pipefail

ARC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARC_PACKAGES=(cmake g++ make ccache pkg-config libcaf-dev libsqlite3-dev sqlite3 nlohmann-json3-dev
  libhowardhinnant-date-dev tzdata libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev googletest python3 procps
  libcpp-httplib-dev prometheus chromium chromium-driver libssl-dev openssl)

arc_install_packages() {
  local missing=()
  for p in "${ARC_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ccache: hits across checkouts in other directories (CI clones afresh).
export CCACHE_BASEDIR="$ARC_ROOT" CCACHE_NOHASHDIR=1

# arc_build BUILD_DIR BUILD_TYPE [cmake --build args, e.g. --target arcd arc]
arc_build() {
  local dir="$1" type="$2"
  shift 2
  cmake -S "$ARC_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" >/dev/null
  cmake --build "$dir" -j2 "$@"
}
