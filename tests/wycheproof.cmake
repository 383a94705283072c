# The crypto port against Project Wycheproof's signature vectors
# (tests/test_crypto_wycheproof.c). Included from tests/CMakeLists.txt.
#
# Needs cmocka and cJSON (Debian: libcmocka-dev, libcjson-dev). The vectors are read at run time
# from ${IFU_SHARED_DIR}/vectors/wycheproof, or from $IFU_SHARED_DIR/vectors/wycheproof when that
# environment variable is set; without them the test is reported as skipped (exit 77).

if(NOT DEFINED IFU_SHARED_DIR)
    set(IFU_SHARED_DIR "${IFU_ROOT}/../shared" CACHE PATH "The shared/ folder with test vectors")
endif()

find_package(PkgConfig REQUIRED)
if(NOT TARGET PkgConfig::CMOCKA)
    pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
endif()

# cJSON: through pkg-config, else by looking for the header and library directly.
if(NOT TARGET ifu_cjson)
    if(NOT TARGET PkgConfig::CJSON)
        pkg_check_modules(CJSON QUIET IMPORTED_TARGET libcjson)
    endif()
    if(TARGET PkgConfig::CJSON)
        add_library(ifu_cjson INTERFACE IMPORTED)
        target_link_libraries(ifu_cjson INTERFACE PkgConfig::CJSON)
    else()
        find_path(IFU_CJSON_INCLUDE_DIR cjson/cJSON.h)
        find_library(IFU_CJSON_LIBRARY cjson)
        if(NOT IFU_CJSON_INCLUDE_DIR OR NOT IFU_CJSON_LIBRARY)
            message(FATAL_ERROR "cJSON not found (Debian: apt-get install libcjson-dev)")
        endif()
        add_library(ifu_cjson UNKNOWN IMPORTED)
        set_target_properties(ifu_cjson PROPERTIES
            IMPORTED_LOCATION "${IFU_CJSON_LIBRARY}"
            INTERFACE_INCLUDE_DIRECTORIES "${IFU_CJSON_INCLUDE_DIR}")
    endif()
endif()

add_executable(test_crypto_wycheproof
    ${CMAKE_CURRENT_LIST_DIR}/test_crypto_wycheproof.c
    ${CMAKE_CURRENT_LIST_DIR}/support/json_vectors.c)
target_include_directories(test_crypto_wycheproof PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_definitions(test_crypto_wycheproof PRIVATE IFU_SHARED_DIR="${IFU_SHARED_DIR}")
target_compile_options(test_crypto_wycheproof PRIVATE ${IFU_WARNINGS})
target_link_libraries(test_crypto_wycheproof PRIVATE ifu ifu_cjson PkgConfig::CMOCKA)

add_test(NAME wycheproof COMMAND test_crypto_wycheproof)
set_tests_properties(wycheproof PROPERTIES LABELS "crypto;census" SKIP_RETURN_CODE 77)
