# The small-chunk link example (examples/small_chunk/) end to end: the host sender and lossy link
# model against the device receiver, over the simulator, one program per boot mode, with images
# signed at run time by the project's CLI. The example's sources are compiled in here, so the
# tests do not depend on the order in which examples/ is added.
set(ifu_chunk_dir ${IFU_ROOT}/examples/small_chunk)
if(TARGET ifu_cli AND TARGET ifu_tu_image AND EXISTS ${ifu_chunk_dir}/chunk_rx.c)
    foreach(mode overwrite swap xip)
        set(target test_chunk_${mode})
        ifu_add_test(NAME ${target}
                     SOURCES test_chunk.c support/tu_boot.c ${ifu_chunk_dir}/chunk_rx.c
                             ${ifu_chunk_dir}/chunk_link.c
                     LABELS "update;transport;smp")
        set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                              C_EXTENSIONS OFF)
        target_include_directories(${target} PRIVATE ${ifu_chunk_dir})
        target_link_libraries(${target} PRIVATE ifu_tu_image ifu_boot_${mode} ifu_sim)
        set_tests_properties(${target} PROPERTIES TIMEOUT 120)
    endforeach()
endif()
