# Crypto dependencies, compiled from the Debian source packages that scripts/setup.sh unpacks
# into IFU_DEPS_DIR (mbedTLS 3.6 LTS and libsodium 1.0.18, from Debian trixie). Only the files
# signature verification needs are compiled, with the project's compiler and flags, so the same
# lists build for the host and for Cortex-M. Their own build systems are never run.
# See docs/DEPENDENCIES.md for what is compiled and why.
#
# Include after setting IFU_ROOT (the ifu source directory). Defines:
#
#   ifu_mbedtls  STATIC  SHA-256/384/512, RSA-PSS verify, ECDSA P-256/P-384 verify, public-key
#                        parsing, static-buffer heap. Configured by IFU_MBEDTLS_CONFIG_FILE.
#                        PUBLIC: mbedTLS include/, MBEDTLS_CONFIG_FILE.
#   ifu_sodium   STATIC  Ed25519 verify (crypto_sign_ed25519_verify_detached) and SHA-512.
#                        PUBLIC: src/libsodium/include, src/libsodium/include/sodium, the
#                        directory holding the generated sodium/version.h; SODIUM_STATIC,
#                        CONFIGURED and NATIVE_LITTLE_ENDIAN (or _BIG_) as configure sets them.
#
# Both compile with -w: third-party code is not held to the project's warnings or -Werror, nor
# to clang-tidy or cppcheck if the project turns those on (CMAKE_C_CLANG_TIDY, CMAKE_C_CPPCHECK).
# Their public include directories are SYSTEM, so their headers do not warn in our code either.
# Needs CMake >= 3.20 (CMAKE_C_BYTE_ORDER) and the C language enabled before the include.

include_guard(GLOBAL)

if(NOT DEFINED IFU_ROOT)
    message(FATAL_ERROR "cmake/deps.cmake: set IFU_ROOT to the ifu source directory first")
endif()

# Algorithms compiled in (include/ifu/config.h, IFU_WITH_*). All ON by default; a bootloader
# that trusts one kind of key turns the others OFF and links none of their code. Set here, for
# every target added after this point (the library, the crypto archives, tests, programs), because
# port/crypto/mbedtls_config.h and ifu's sources must agree. A consumer of an installed ifu that
# changed them defines the same IFU_WITH_*=0 macros in its own build.
option(IFU_WITH_RSA "RSA-2048/3072 PSS signatures (mbedTLS)" ON)
option(IFU_WITH_ECDSA_P256 "ECDSA P-256 signatures (mbedTLS)" ON)
option(IFU_WITH_ECDSA_P384 "ECDSA P-384 signatures (mbedTLS)" ON)
option(IFU_WITH_ED25519 "Ed25519 signatures (libsodium)" ON)
option(IFU_WITH_SHA512 "SHA-384/SHA-512 image hashes and pure Ed25519 (mbedTLS)" ON)
foreach(alg RSA ECDSA_P256 ECDSA_P384 ED25519 SHA512)
    if(NOT IFU_WITH_${alg})
        add_compile_definitions(IFU_WITH_${alg}=0)
    endif()
endforeach()
option(IFU_WITH_P256M "ECDSA P-256 through p256-m (mbedTLS 3rdparty) instead of mbedTLS ECP" OFF)
if(IFU_WITH_P256M)
    add_compile_definitions(IFU_WITH_P256M=1)
endif()
option(IFU_CRYPTO_SMALL "Crypto libraries configured for size over speed (include/ifu/config.h)" OFF)
if(IFU_CRYPTO_SMALL)
    add_compile_definitions(IFU_CRYPTO_SMALL=1)
endif()

if(DEFINED ENV{IFU_DEPS_DIR} AND NOT "$ENV{IFU_DEPS_DIR}" STREQUAL "")
    set(ifu_deps_default "$ENV{IFU_DEPS_DIR}")
else()
    set(ifu_deps_default "${IFU_ROOT}/.deps")
endif()
set(IFU_DEPS_DIR "${ifu_deps_default}" CACHE PATH
    "Dependency cache with the unpacked mbedTLS and libsodium sources (scripts/setup.sh)")
set(IFU_MBEDTLS_CONFIG_FILE "${IFU_ROOT}/port/crypto/mbedtls_config.h" CACHE FILEPATH
    "mbedTLS configuration header used for ifu_mbedtls and everything that links it")

# Set <out> to the newest directory in IFU_DEPS_DIR matching <glob>, or fail with a hint.
function(ifu_find_dep out glob what)
    file(GLOB found LIST_DIRECTORIES true "${IFU_DEPS_DIR}/${glob}")
    set(dirs "")
    foreach(f IN LISTS found)
        if(IS_DIRECTORY "${f}")
            list(APPEND dirs "${f}")
        endif()
    endforeach()
    if(NOT dirs)
        message(FATAL_ERROR "${what} source not found in ${IFU_DEPS_DIR}: run scripts/setup.sh")
    endif()
    list(SORT dirs COMPARE NATURAL ORDER DESCENDING)
    list(GET dirs 0 dir)
    set(${out} "${dir}" PARENT_SCOPE)
endfunction()

ifu_find_dep(IFU_MBEDTLS_DIR "mbedtls-3.6*" "mbedTLS 3.6")
ifu_find_dep(IFU_SODIUM_DIR "libsodium-1.0.18*" "libsodium 1.0.18")

# ---------------------------------------------------------------------------------------------
# mbedTLS: one line per library/*.c, with what needs it.

set(ifu_mbedtls_files
    sha256                # SHA-256
    sha512                # SHA-384, SHA-512
    md                    # message-digest dispatch; RSA-PSS (MGF1) and pk verify use it
    bignum                # multi-precision integers (RSA, ECP)
    bignum_core           # bignum.c's constant-time core
    constant_time         # constant-time compare/copy used by bignum and rsa
    rsa                   # RSA public operation, RSASSA-PSS verify, PKCS#1 RSAPublicKey parse
    rsa_alt_helpers       # referenced by rsa.c's key import/check (mbedtls_rsa_complete)
    ecp                   # elliptic-curve arithmetic
    ecp_curves            # secp256r1, secp384r1 parameters and NIST fast reduction
    ecdsa                 # ECDSA verify, DER signature parse
    asn1parse             # DER parsing (keys, ECDSA signatures)
    asn1write             # required by ECDSA_C; ecdsa.c and rsa.c reference its functions
    oid                   # algorithm and curve OIDs in SubjectPublicKeyInfo
    pk                    # generic public-key API (mbedtls_pk_verify*)
    pk_wrap               # RSA and EC behind the pk API
    pk_ecc                # EC key setup for pkparse.c
    pkparse               # mbedtls_pk_parse_public_key (SPKI, PKCS#1 RSAPublicKey)
    platform              # mbedtls_calloc/mbedtls_free indirection, snprintf stub
    platform_util         # mbedtls_platform_zeroize
    memory_buffer_alloc   # heap in a caller-provided static buffer (no malloc)
)
set(ifu_mbedtls_sources "")
foreach(f IN LISTS ifu_mbedtls_files)
    list(APPEND ifu_mbedtls_sources "${IFU_MBEDTLS_DIR}/library/${f}.c")
endforeach()

# p256-m (IFU_WITH_P256M): its verify only. The file compiles only under the PSA driver macro,
# given to it alone (the library's configuration keeps PSA off); p256m_rng.c answers the RNG call
# of its signing functions, which a verifier never makes.
if(IFU_WITH_P256M)
    set(ifu_p256m_dir "${IFU_MBEDTLS_DIR}/3rdparty/p256-m/p256-m")
    list(APPEND ifu_mbedtls_sources "${ifu_p256m_dir}/p256-m.c"
         "${IFU_ROOT}/port/crypto/p256m_rng.c")
    set_source_files_properties("${ifu_p256m_dir}/p256-m.c" PROPERTIES
                                COMPILE_DEFINITIONS MBEDTLS_PSA_P256M_DRIVER_ENABLED)
endif()
add_library(ifu_mbedtls STATIC ${ifu_mbedtls_sources})
if(IFU_WITH_P256M)
    target_include_directories(ifu_mbedtls SYSTEM PUBLIC "$<BUILD_INTERFACE:${ifu_p256m_dir}>")
endif()
target_include_directories(ifu_mbedtls SYSTEM PUBLIC "$<BUILD_INTERFACE:${IFU_MBEDTLS_DIR}/include>")
target_include_directories(ifu_mbedtls PRIVATE "${IFU_MBEDTLS_DIR}/library")
target_compile_definitions(ifu_mbedtls PUBLIC
    "$<BUILD_INTERFACE:MBEDTLS_CONFIG_FILE=\"${IFU_MBEDTLS_CONFIG_FILE}\">")
target_compile_options(ifu_mbedtls PRIVATE -w)
set_target_properties(ifu_mbedtls PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
                                             C_CLANG_TIDY "" C_CPPCHECK "")

# ---------------------------------------------------------------------------------------------
# libsodium: Ed25519 verification only (the ref10 implementation, portable C, 32-bit limbs).

set(ifu_sodium_src "${IFU_SODIUM_DIR}/src/libsodium")
set(ifu_sodium_gen "${CMAKE_CURRENT_BINARY_DIR}/ifu_deps/sodium")

# Write <gen>/sodium/version.h as configure would, with the version numbers from configure.ac.
# A function, so that the variables version.h.in wants (VERSION, ...) stay local.
function(ifu_sodium_version_h sodium_dir gen)
    file(STRINGS "${sodium_dir}/configure.ac" ac
         REGEX "^(AC_INIT\\(|SODIUM_LIBRARY_VERSION_(MAJOR|MINOR)=)")
    string(REGEX MATCH "AC_INIT\\(\\[libsodium\\],\\[([0-9.]+)\\]" _ "${ac}")
    set(VERSION "${CMAKE_MATCH_1}")
    string(REGEX MATCH "SODIUM_LIBRARY_VERSION_MAJOR=([0-9]+)" _ "${ac}")
    set(SODIUM_LIBRARY_VERSION_MAJOR "${CMAKE_MATCH_1}")
    string(REGEX MATCH "SODIUM_LIBRARY_VERSION_MINOR=([0-9]+)" _ "${ac}")
    set(SODIUM_LIBRARY_VERSION_MINOR "${CMAKE_MATCH_1}")
    set(SODIUM_LIBRARY_MINIMAL_DEF "")
    if(NOT VERSION OR NOT SODIUM_LIBRARY_VERSION_MAJOR OR NOT SODIUM_LIBRARY_VERSION_MINOR)
        message(FATAL_ERROR "cannot read the libsodium version from ${sodium_dir}/configure.ac")
    endif()
    configure_file("${sodium_dir}/src/libsodium/include/sodium/version.h.in"
                   "${gen}/sodium/version.h" @ONLY)
endfunction()
ifu_sodium_version_h("${IFU_SODIUM_DIR}" "${ifu_sodium_gen}")

# What configure would detect. Not set on purpose: HAVE_TI_MODE and HAVE_AMD64_ASM (64-bit
# limbs and x86-64 assembly), so the host compiles the same portable code as Cortex-M.
if(CMAKE_C_BYTE_ORDER STREQUAL "BIG_ENDIAN")
    set(ifu_sodium_endian NATIVE_BIG_ENDIAN=1)
else()
    set(ifu_sodium_endian NATIVE_LITTLE_ENDIAN=1)
endif()

set(ifu_sodium_third_party
    "${ifu_sodium_src}/crypto_sign/ed25519/ref10/open.c"            # verify_detached
    "${ifu_sodium_src}/crypto_sign/ed25519/ref10/sign.c"            # its SHA-512 init helper
    "${ifu_sodium_src}/crypto_core/ed25519/ref10/ed25519_ref10.c"   # field and group arithmetic
    "${ifu_sodium_src}/crypto_hash/sha512/cp/hash_sha512_cp.c"      # SHA-512
    "${ifu_sodium_src}/crypto_verify/sodium/verify.c"               # crypto_verify_32
)
add_library(ifu_sodium STATIC ${ifu_sodium_third_party}
            "${IFU_ROOT}/port/crypto/sodium/sodium_utils.c")      # sodium_memzero/memcmp/is_zero
target_include_directories(ifu_sodium SYSTEM PUBLIC
    "$<BUILD_INTERFACE:${ifu_sodium_src}/include>"
    "$<BUILD_INTERFACE:${ifu_sodium_src}/include/sodium>"
    "$<BUILD_INTERFACE:${ifu_sodium_gen}>")
# PUBLIC, not PRIVATE: private/ed25519_ref10.h (which the port uses) includes private/common.h,
# which refuses to compile without CONFIGURED and whose byte loads depend on the byte order.
target_compile_definitions(ifu_sodium PUBLIC
    "$<BUILD_INTERFACE:SODIUM_STATIC=1;CONFIGURED=1;${ifu_sodium_endian}>")
set_source_files_properties(${ifu_sodium_third_party} PROPERTIES COMPILE_OPTIONS -w)
set_target_properties(ifu_sodium PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
                                            C_CLANG_TIDY "" C_CPPCHECK "")
