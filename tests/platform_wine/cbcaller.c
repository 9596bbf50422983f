/* C side of the NewCallback round trips (tests/platform_wine/go/cbprobe).
 *
 * Each call_<case>(fn) calls the Go callback fn the way a Windows x64 C caller
 * does (gcc, ms_abi), with the arguments written here, prints what came back
 * as "c <case>: ..." and returns it.  tests/test_wine.py derives the expected
 * lines by hand from the literals below.  stdout is flushed after every line
 * so C's and Go's output interleave in call order.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define EXPORT __declspec(dllexport)

static void report(const char *name, uint64_t ret)
{
    printf("c %s: ret=0x%016llx\n", name, (unsigned long long)ret);
    fflush(stdout);
}

/* bool and every integer width; the 5th argument travels on the C stack. */
typedef uint64_t (*small_fn)(_Bool, int8_t, uint8_t, int16_t, uint16_t);
EXPORT uint64_t call_small(small_fn fn)
{
    uint64_t r = fn(1, -7, 250, -30000, 65000);
    report("small", r);
    return r;
}

typedef uint64_t (*wide_fn)(int32_t, uint32_t, int64_t, uint64_t, uint64_t, int64_t, uint64_t);
EXPORT uint64_t call_wide(wide_fn fn)
{
    uint64_t r = fn(-2000000000, 4000000000u, -9000000000000000000ll,
                    18000000000000000000ull, 0xfedcba9876543210ull,
                    INT64_MIN, UINT64_MAX);
    report("wide", r);
    return r;
}

/* The Windows x64 ABI leaves the bits above a narrow argument unspecified, in
 * registers and in stack slots alike: call with the narrow values buried in
 * 64-bit words whose upper bits are set.  Go must read only the low bytes. */
typedef uint64_t (*dirty_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
EXPORT uint64_t call_dirty(dirty_fn fn)
{
    uint64_t r = fn(0xdeadbeefcafebaf9ull,  /* int8  -7 */
                    0x123456789abc0102ull,  /* uint16 258 */
                    0xaaaaaaaa80000000ull,  /* int32 -2147483648 */
                    0xffffffffffffff01ull,  /* bool true */
                    0x55555555555555abull,  /* uint8 171, C stack */
                    0x77777777fffffffeull); /* uint32 4294967294, C stack */
    report("dirty", r);
    return r;
}

static int32_t ptr_target = 42;
static char ptr_text[] = "hello";
typedef void *(*ptrs_fn)(int32_t *, void *, char *);
EXPORT uint64_t call_ptrs(ptrs_fn fn)
{
    void *r = fn(&ptr_target, ptr_text, NULL);
    printf("c ptrs: same=%d target=%d\n", r == (void *)&ptr_target, (int)ptr_target);
    fflush(stdout);
    return (uint64_t)(uintptr_t)r;
}

/* 12 arguments: C passes 1-4 in RCX/RDX/R8/R9 and 5-12 on its stack; Go's
 * ABIInternal takes 1-9 in registers and 10-12 on the Go stack. */
static int64_t many_target = 12;
typedef uint64_t (*many_fn)(int8_t, uint16_t, int32_t, uint64_t, int8_t, int16_t, uint32_t,
                            int64_t, uintptr_t, uint8_t, int32_t, int64_t *);
EXPORT uint64_t call_many(many_fn fn)
{
    uint64_t r = fn(1, 2, -3, 4, -5, 6, 7, -8, 9, 10, -11, &many_target);
    report("many", r);
    return r;
}

/* Floats, seen by a Go callback that declares only words (NewCallback refuses float
 * arguments): the x64 ABI gives each position one slot, RCX|XMM0, RDX|XMM1, R8|XMM2,
 * R9|XMM3, then 8-byte stack slots.  A double in position 2 leaves RDX (and so the Go word)
 * unset; an int in position 3 is still in R8; doubles and floats from position 5 on are
 * in their stack slots as bits. */
typedef uint64_t (*float_slots_fn)(int64_t, double, int64_t, float, int64_t, double, float);
EXPORT uint64_t call_float_slots(float_slots_fn fn)
{
    uint64_t r = fn(1, 2.5, 3, 4.5f, 5, 1.5, -2.0f);
    report("float_slots", r);
    return r;
}

/* 64 word arguments: the largest frame compileCallback accepts on amd64. */
#define A8(b) b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8
#define W8 uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t
typedef uint64_t (*max_fn)(W8, W8, W8, W8, W8, W8, W8, W8);
EXPORT uint64_t call_max64(max_fn fn)
{
    uint64_t r = fn(A8(0), A8(8), A8(16), A8(24), A8(32), A8(40), A8(48), A8(56));
    report("max64", r);
    return r;
}

/* Structs of size 1, 2, 4 and 8 travel by value in one register or slot. */
typedef struct { int32_t a, b; } s_ii;                 /* 8 bytes */
typedef struct { int8_t a; int16_t b; int32_t c; } s_bhi; /* 8 bytes: 0, 2, 4 */
typedef struct { uint32_t a[1]; } s_arr1;              /* 4 bytes */
typedef struct { int32_t *p; } s_ptr;                  /* 8 bytes */
typedef struct { uint8_t a, b; } s_pair;               /* 2 bytes */
typedef uint64_t (*structs_fn)(s_ii, s_bhi, s_arr1, s_ptr, s_pair);
static int32_t struct_target = 77;
EXPORT uint64_t call_structs(structs_fn fn)
{
    s_ii s1 = {-1, 2};
    s_bhi s2 = {-3, 400, -50000};
    s_arr1 s3 = {{7}};
    s_ptr s4 = {&struct_target};
    s_pair s5 = {0xab, 0xcd};
    uint64_t r = fn(s1, s2, s3, s4, s5);
    report("structs", r);
    return r;
}

/* A 3-byte struct is not of size 1, 2, 4 or 8, so the Windows x64 ABI passes
 * it by reference: the callee receives a pointer to a caller-made copy. */
typedef struct { uint8_t a, b, c; } s_3;
typedef uint64_t (*struct3_fn)(s_3, uint64_t);
EXPORT uint64_t call_struct3(struct3_fn fn)
{
    s_3 s = {1, 2, 3};
    uint64_t r = fn(s, 99);
    report("struct3", r);
    return r;
}

/* Eight words, then an 8-byte two-field struct, then a word: the struct needs
 * two Go registers where only one (R11) is left. */
typedef struct { uint32_t a, b; } s_uu;
typedef uint64_t (*partial_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                               uint64_t, uint64_t, s_uu, uint64_t);
EXPORT uint64_t call_partial(partial_fn fn)
{
    s_uu s = {9, 10};
    uint64_t r = fn(1, 2, 3, 4, 5, 6, 7, 8, s, 11);
    report("partial", r);
    return r;
}

/* Results.  A Windows x64 callee returns any 8-byte struct in RAX. */
typedef s_uu (*ret_uu_fn)(void);
EXPORT uint64_t call_ret_struct2(ret_uu_fn fn)
{
    s_uu s = fn();
    printf("c ret_struct2: a=%u b=%u\n", s.a, s.b);
    fflush(stdout);
    return ((uint64_t)s.b << 32) | s.a;
}

typedef struct { double f; } s_d;
typedef s_d (*ret_d_fn)(void);
EXPORT uint64_t call_ret_fstruct(ret_d_fn fn)
{
    s_d s = fn();
    uint64_t bits;
    memcpy(&bits, &s.f, sizeof bits);
    printf("c ret_fstruct: f=%g bits=0x%016llx\n", s.f, (unsigned long long)bits);
    fflush(stdout);
    return 0;
}

typedef struct { uint8_t a; uint8_t b[7]; } s_b7;
typedef s_b7 (*ret_b7_fn)(void);
EXPORT uint64_t call_ret_bytes8(ret_b7_fn fn)
{
    s_b7 s = fn();
    printf("c ret_bytes8: a=%u b=%u,%u,%u,%u,%u,%u,%u\n", s.a, s.b[0], s.b[1], s.b[2], s.b[3],
           s.b[4], s.b[5], s.b[6]);
    fflush(stdout);
    return 0;
}

typedef void *(*ret_ptr_fn)(void);
EXPORT uint64_t call_ret_ptr(ret_ptr_fn fn)
{
    void *r = fn();
    printf("c ret_ptr: same=%d\n", r == (void *)&ptr_target);
    fflush(stdout);
    return (uint64_t)(uintptr_t)r;
}

EXPORT void *target_address(void)
{
    return &ptr_target;
}
