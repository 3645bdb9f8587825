/* 64-bit sums and products under range preconditions, fixed-point scaling, powers of two,
   hash mixing with unsigned wrap-around. */
#include <limits.h>
#include <stdint.h>

// expect: overflow=proved contract=proved
/*@ requires -3037000499 <= n && n <= 3037000499;
    ensures \result >= 0; */
long long square64(long long n) {
    return n * n;
}

// expect: overflow=counterexample
long long square64_any(long long n) {
    return n * n;
}

// expect: overflow=proved
/*@ requires 0 <= a && a <= 4294967295 && 0 <= b && b <= 2147483647; */
long long product_u32_i31(long long a, long long b) {
    return a * b;
}

// expect: overflow=counterexample
/*@ requires 0 <= a && a <= 4294967296 && 0 <= b && b <= 4294967296; */
long long product_u33(long long a, long long b) {
    return a * b;
}

// expect: overflow=proved contract=proved
/*@ requires 0 <= a && a <= 1000000000 && 0 <= b && b <= 1000000000 && 0 <= c && c <= 1000000000;
    ensures \result == a * b + c; */
long long fma64(long long a, long long b, long long c) {
    return a * b + c;
}

// expect: overflow=proved
/*@ requires 0 <= n && n <= 1000000; */
long long sum_to(long long n) {
    return n * (n + 1) / 2;
}

// expect: overflow=proved contract=proved
/*@ requires -32768 <= x && x <= 32767 && 0 <= scale && scale <= 65535;
    ensures -2147483648 <= \result && \result <= 2147483647; */
int fixed_scale(int x, int scale) {
    long long p = (long long)x * scale;
    return (int)(p >> 16);
}

// expect: overflow=proved contract=proved
/*@ requires -1000000 <= a && a <= 1000000 && -1000000 <= b && b <= 1000000;
    ensures \result == (a * b) / 1024; */
long long fixed_mul(long long a, long long b) {
    return (a * b) / 1024;
}

// expect: overflow=counterexample
int fixed_mul_narrow(int a, int b) {
    return (a * b) >> 16;
}

// expect: overflow=proved contract=proved
/*@ requires 0 < v && v <= 1073741824;
    ensures \result >= v; */
unsigned round_up_pow2(unsigned v) {
    v--;
    v |= v >> 1;
    v |= v >> 2;
    v |= v >> 4;
    v |= v >> 8;
    v |= v >> 16;
    v++;
    return v;
}

// expect: overflow=proved
unsigned hash_mix(unsigned x) {
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

// expect: overflow=proved
unsigned long fnv1a_step(unsigned long h, unsigned char c) {
    h ^= c;
    h *= 1099511628211UL;
    return h;
}

// expect: overflow=counterexample
int hash_signed(int x) {
    x ^= x >> 16;
    x *= 0x45d9f3b;
    return x;
}

// expect: overflow=proved contract=proved
/*@ ensures \result >= 0 && \result < 1024; */
int bucket(unsigned h) {
    return (int)(h % 1024u);
}

// expect: overflow=proved contract=proved
/*@ requires 0 <= a && a <= 2147483647 && 0 <= b && b <= 2147483647;
    ensures \result >= a && \result >= b; */
long long sum_nonneg(int a, int b) {
    return (long long)a + b;
}

// expect: overflow=counterexample
int average3(int a, int b, int c) {
    return (a + b + c) / 3;
}

// expect: overflow=proved contract=proved
/*@ ensures \result == (long long)a * 3; */
long long triple_wide(int a) {
    return (long long)a * 3;
}
