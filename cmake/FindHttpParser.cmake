# SPDX-FileCopyrightText: 2026 CircleTray contributors
# SPDX-License-Identifier: MIT
# Debian's libhttp-parser-dev ships no CMake or pkg-config file: find it by hand.
find_path(HTTP_PARSER_INCLUDE_DIR NAMES http_parser.h REQUIRED)
find_library(HTTP_PARSER_LIBRARY NAMES http_parser REQUIRED)
if(NOT TARGET HttpParser::HttpParser)
    add_library(HttpParser::HttpParser UNKNOWN IMPORTED)
    set_target_properties(HttpParser::HttpParser PROPERTIES
        IMPORTED_LOCATION "${HTTP_PARSER_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${HTTP_PARSER_INCLUDE_DIR}")
endif()
message(STATUS "http-parser: ${HTTP_PARSER_LIBRARY}")
