# Census tests (ctest label census, issue 9), one program per boot mode:
# the tamper census (tests/test_tamper_census.c) over the imgtool vectors.
# The Wycheproof census is registered by wycheproof.cmake. Both skip (exit
# 77) with a message when shared/vectors is absent.
#
# The tamper census flips every bit of six images (69 k variants, each
# through three paths): about 20 s of CPU per mode with gcc -O2. A
# sanitizer build samples 1 bit in IFU_TAMPER_SAMPLE_SANITIZED by default
# (about 3x slower per variant there); IFU_TAMPER_SAMPLE=N in the
# environment overrides either default (1 = every bit).
set(IFU_TAMPER_SAMPLE_SANITIZED 7 CACHE STRING
    "Tamper census in a sanitizer build: test 1 bit in N by default")
foreach(mode overwrite swap xip)
    set(target test_tamper_census_${mode})
    ifu_add_test(NAME ${target} SOURCES test_tamper_census.c LABELS "census;image")
    target_link_libraries(${target} PRIVATE ifu_boot_${mode} ifu_sim)
    if(IFU_SANITIZE)
        target_compile_definitions(${target} PRIVATE
                                   IFU_TAMPER_SAMPLE_DEFAULT=${IFU_TAMPER_SAMPLE_SANITIZED})
    endif()
    set_tests_properties(${target} PROPERTIES TIMEOUT 600)
endforeach()
