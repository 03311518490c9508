# SPDX-FileCopyrightText: 2026 CircleTray contributors
# SPDX-License-Identifier: MIT
# ct_common_cfg: the compile settings every CircleTray target links.
add_library(ct_common_cfg INTERFACE)
target_compile_features(ct_common_cfg INTERFACE cxx_std_20)
target_compile_definitions(ct_common_cfg INTERFACE
    QT_NO_KEYWORDS QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_USE_QSTRINGBUILDER
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    CT_VERSION="${PROJECT_VERSION}")
target_compile_options(ct_common_cfg INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wold-style-cast -Woverloaded-virtual>
    $<$<BOOL:${CT_WERROR}>:-Werror>)

if(CT_ENABLE_ASAN)
    target_compile_options(ct_common_cfg INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                   -fno-sanitize-recover=undefined)
    target_link_options(ct_common_cfg INTERFACE -fsanitize=address,undefined)
endif()

if(CT_BUILD_FUZZERS)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "CT_BUILD_FUZZERS needs clang (configure with CXX=clang++)")
    endif()
    # Everything is instrumented for coverage; only the fuzz targets link libFuzzer's main().
    target_compile_options(ct_common_cfg INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                   -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(ct_common_cfg INTERFACE -fsanitize=address,undefined)
endif()
