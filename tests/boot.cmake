# The boot engine's behaviour tests, one program per mode (docs/DESIGN.md §7),
# with images signed at run time by the project's CLI.
# The images come from the ifu CLI: without the tools there are no boot tests.
if(NOT TARGET ifu_cli)
    message(STATUS "tests: IFU_BUILD_TOOLS is off, so the boot, power-loss and update tests are not built")
    return()
endif()
add_library(ifu_tu_image STATIC support/tu_image.c)
set_target_properties(ifu_tu_image PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                      C_EXTENSIONS OFF)
target_include_directories(ifu_tu_image PUBLIC support)
target_compile_definitions(ifu_tu_image PRIVATE IFU_CLI_PATH="$<TARGET_FILE:ifu_cli>")
target_compile_options(ifu_tu_image PRIVATE ${IFU_WARNINGS})
target_link_libraries(ifu_tu_image PUBLIC ifu ifu_testutil)
add_dependencies(ifu_tu_image ifu_cli)

# ifu_add_boot_test(NAME name SOURCE file LABELS ...): test_<name>_<mode> for
# each mode, linking ifu_boot_<mode>, the simulator and the image helpers.
function(ifu_add_boot_test)
    cmake_parse_arguments(T "" "NAME;SOURCE" "LABELS" ${ARGN})
    foreach(mode overwrite swap xip)
        set(target ${T_NAME}_${mode})
        ifu_add_test(NAME ${target} SOURCES ${T_SOURCE} support/tu_boot.c support/tu_faulty.c
                     LABELS "${T_LABELS}")
        set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                              C_EXTENSIONS OFF)
        target_link_libraries(${target} PRIVATE ifu_tu_image ifu_boot_${mode} ifu_sim)
    endforeach()
endfunction()

ifu_add_boot_test(NAME test_boot SOURCE test_boot.c LABELS "boot")
# Coverage tests of the boot engine and the update API (docs/QUALITY.md, coverage).
file(GLOB IFU_COV_BOOT_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test_cov_boot_*.c)
foreach(src IN LISTS IFU_COV_BOOT_TESTS)
    get_filename_component(name ${src} NAME_WE)
    ifu_add_boot_test(NAME ${name} SOURCE ${src} LABELS "coverage")
endforeach()
