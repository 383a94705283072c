# The keystore (include/ifu/keys.h, docs/KEYS.md): unit tests over the
# simulator's flash and OTP, the boot engine and update API with a keystore
# in every mode, and the keystore's power-loss matrix.
if(NOT TARGET ifu_tu_image)
    message(STATUS "tests: no image helpers (IFU_BUILD_TOOLS off), so the keys tests are not built")
    return()
endif()
add_library(ifu_tu_keys STATIC support/tu_keys.c)
set_target_properties(ifu_tu_keys PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                      C_EXTENSIONS OFF)
target_include_directories(ifu_tu_keys PUBLIC support)
target_compile_options(ifu_tu_keys PRIVATE ${IFU_WARNINGS})
target_link_libraries(ifu_tu_keys PUBLIC ifu ifu_sim ifu_tu_image)

ifu_add_test(NAME test_keys SOURCES test_keys.c LABELS "keys")
set_target_properties(test_keys PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_link_libraries(test_keys PRIVATE ifu_tu_keys)

ifu_add_boot_test(NAME test_keys_boot SOURCE test_keys_boot.c LABELS "keys")
foreach(mode overwrite swap xip)
    target_link_libraries(test_keys_boot_${mode} PRIVATE ifu_tu_keys)
endforeach()

# The keystore's power-loss matrix: every cut of provision and revoke, and of
# a boot whose rotation policy revokes (prints "powerloss keys: ...").
ifu_add_boot_test(NAME test_pl_keys SOURCE pl_keys.c LABELS "keys;powerloss")
foreach(mode overwrite swap xip)
    target_link_libraries(test_pl_keys_${mode} PRIVATE ifu_tu_keys)
endforeach()
