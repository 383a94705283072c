# Anti-rollback (include/ifu/counter.h, docs/ROLLBACK.md): the counter's
# backends alone, then the boot engine and update API with a counter, one
# program per boot mode, and the downgrade census (label census).
ifu_add_test(NAME test_counter SOURCES test_counter.c LABELS "rollback")
target_link_libraries(test_counter PRIVATE ifu_sim)
set_tests_properties(test_counter PROPERTIES TIMEOUT 300)
if(TARGET ifu_tu_image)
    ifu_add_boot_test(NAME test_rollback SOURCE test_rollback.c LABELS "rollback")
    ifu_add_boot_test(NAME test_downgrade_census SOURCE test_downgrade_census.c LABELS "census")
    foreach(mode overwrite swap xip)
        target_sources(test_rollback_${mode} PRIVATE test_counter_rig.c)
        target_sources(test_downgrade_census_${mode} PRIVATE test_counter_rig.c)
        set_tests_properties(test_rollback_${mode} test_downgrade_census_${mode}
                             PROPERTIES TIMEOUT 600)
    endforeach()
endif()
