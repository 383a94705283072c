# The flash layer (src/flash.c) and the host flash simulator (port/sim).
ifu_add_test(NAME test_flash SOURCES test_flash.c LABELS "flash")
ifu_add_test(NAME test_sim SOURCES test_sim.c LABELS "sim")
target_link_libraries(test_sim PRIVATE ifu_sim)
