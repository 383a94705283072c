# CMake toolchain file for the Cortex-M builds (port/cortex-m, boot/, examples/qemu_app):
# Debian's gcc-arm-none-eabi with newlib-nano, bare metal.
#
#   cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake \
#         -DIFU_HOST_TOOL=build/tools/ifu/ifu -DIFU_SIGNING_KEY=key.pem
#
# IFU_CM_CPU picks the core (cortex-m4 for mps2-an386, the default; cortex-m33 for an505);
# IFU_BOARD the board of port/cortex-m/ (default an386). Soft float: no FPU context to manage
# across the bootloader's jump.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
find_program(CMAKE_OBJCOPY arm-none-eabi-objcopy)
find_program(CMAKE_SIZE arm-none-eabi-size)

set(IFU_CM_CPU cortex-m4 CACHE STRING "Cortex-M core (-mcpu)")
# CMake's compiler checks (try_compile) read this file again in a project of their own: pass the
# core on, or they would check cortex-m4 code for a cortex-m33 build.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES IFU_CM_CPU)
set(IFU_CM_TOOLCHAIN 1)

set(CMAKE_C_FLAGS_INIT
    "-mcpu=${IFU_CM_CPU} -mthumb -mfloat-abi=soft -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "--specs=nano.specs --specs=nosys.specs -nostartfiles -Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
