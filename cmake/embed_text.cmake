# cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=arc::http::kDashboardHtml -DHEADER=http/dashboard.hpp -P embed_text.cmake
# Writes a C++ file defining SYMBOL as the text of INPUT (a raw string literal).
file(READ "${INPUT}" text)
string(FIND "${text}" ")ARC_EMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )ARC_EMBED\"")
endif()
string(REGEX MATCH "^(.*)::([^:]+)$" _ "${SYMBOL}")
set(ns "${CMAKE_MATCH_1}")
set(name "${CMAKE_MATCH_2}")
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by cmake/embed_text.cmake; do not edit.\n#include \"${HEADER}\"\n\nnamespace ${ns} {\nconst char* const ${name} = R\"ARC_EMBED(${text})ARC_EMBED\";\n}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
