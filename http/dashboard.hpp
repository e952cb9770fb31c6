// The dashboard page: http/dashboard.html, compiled into the binary at build
// time (cmake/embed_text.cmake), so arcd serves it with nothing to install.
#pragma once

namespace arc::http {
extern const char* const kDashboardHtml;
}
