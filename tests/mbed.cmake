# The Mbed FlashIAP adapter (port/mbed/ifu_flashiap.cpp), driven through ifu
# over the stand-in FlashIAP of port/mbed/test (a RAM model with NOR rules;
# docs/PORTING.md, "Mbed OS and Mbed CE"): one program per boot mode, label
# `port`. The adapter is C++, so this is the only part of the build that needs
# a C++ compiler; without one it is left out with a message.
if(NOT TARGET ifu_cli OR NOT TARGET ifu_tu_image)
    return() # no signed images without the CLI (boot.cmake says so)
endif()
include(CheckLanguage)
check_language(CXX)
if(NOT CMAKE_CXX_COMPILER)
    message(STATUS "tests: no C++ compiler, so the Mbed FlashIAP adapter test is not built")
    return()
endif()
enable_language(CXX)

# IFU_WARNINGS less the C-only ones, plus the C++ form of -Wmissing-prototypes.
set(IFU_CXX_WARNINGS -Wall -Wextra -Werror -Wshadow -Wcast-qual -Wundef -Wformat=2
    -Wmissing-declarations)
set(ifu_mbed_dir ${IFU_ROOT}/port/mbed)

# The adapter and the stand-in FlashIAP (its header is found as "drivers/FlashIAP.h",
# the include Mbed OS 6 code uses).
add_library(ifu_mbed_flashiap_test STATIC ${ifu_mbed_dir}/ifu_flashiap.cpp
            ${ifu_mbed_dir}/test/flashiap_ram.cpp)
set_target_properties(ifu_mbed_flashiap_test PROPERTIES CXX_STANDARD 11 CXX_STANDARD_REQUIRED ON
                      CXX_EXTENSIONS OFF)
target_include_directories(ifu_mbed_flashiap_test PUBLIC ${ifu_mbed_dir} ${ifu_mbed_dir}/test)
target_compile_options(ifu_mbed_flashiap_test PRIVATE ${IFU_CXX_WARNINGS})
target_link_libraries(ifu_mbed_flashiap_test PUBLIC ifu)

# The test includes boot.h and update.h, where a function shares its struct's name
# (ifu_boot_layout, ifu_update_status): fine in C, but g++'s -Wshadow reports each as hiding the
# struct's implicit constructor. The adapter above keeps -Wshadow (it includes flash.h only).
set(ifu_mbed_test_cxx_warnings ${IFU_CXX_WARNINGS})
list(REMOVE_ITEM ifu_mbed_test_cxx_warnings -Wshadow)

foreach(mode overwrite swap xip)
    set(target test_mbed_flashiap_${mode})
    add_executable(${target} test_mbed_flashiap.cpp support/tu_boot.c support/tu_faulty.c)
    set_target_properties(${target} PROPERTIES CXX_STANDARD 11 CXX_STANDARD_REQUIRED ON
                          CXX_EXTENSIONS OFF C_STANDARD 11 C_STANDARD_REQUIRED ON
                          C_EXTENSIONS OFF)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C>:${IFU_WARNINGS}>
                           $<$<COMPILE_LANGUAGE:CXX>:${ifu_mbed_test_cxx_warnings}>)
    target_include_directories(${target} PRIVATE ${IFU_ROOT}/src)
    target_link_libraries(${target} PRIVATE ifu_mbed_flashiap_test ifu_tu_image
                          ifu_boot_${mode} ifu_sim ifu_testutil PkgConfig::CMOCKA)
    add_test(NAME ${target} COMMAND ${target})
    set_tests_properties(${target} PROPERTIES LABELS "port" SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()

# The adapter compiled for a Cortex-M4 as an Mbed build would (C++11, no exceptions, no RTTI),
# still against the stand-in header: a compile check with -Werror, not a test on Mbed.
find_program(IFU_ARM_GXX arm-none-eabi-g++)
if(IFU_ARM_GXX)
    add_test(NAME mbed_flashiap_cortex_m4_compile
             COMMAND ${IFU_ARM_GXX} -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -std=c++11
                     -fno-exceptions -fno-rtti ${IFU_CXX_WARNINGS} -I${IFU_ROOT}/include
                     -I${ifu_mbed_dir} -I${ifu_mbed_dir}/test -c ${ifu_mbed_dir}/ifu_flashiap.cpp
                     -o ${CMAKE_CURRENT_BINARY_DIR}/ifu_flashiap_cm4.o)
    set_tests_properties(mbed_flashiap_cortex_m4_compile PROPERTIES LABELS "port")
else()
    message(STATUS "tests: no arm-none-eabi-g++, so the adapter's Cortex-M compile check is not run")
endif()
