/* Integer algorithms: square roots, gcd, lcm, powers, midpoints, absolute values. */
#include <limits.h>

// expect: overflow=proved contract=proved
/*@ requires 0 <= n && n <= 2147483647;
    ensures \result * \result <= n && n < (\result + 1) * (\result + 1); */
long long isqrt(long long n) {
    long long lo = 0, hi = 46341;
    /*@ loop invariant 0 <= lo && lo < hi && hi <= 46341;
        loop invariant lo * lo <= n && n < hi * hi; */
    while (hi - lo > 1) {
        long long mid = lo + (hi - lo) / 2;
        if (mid * mid <= n) lo = mid; else hi = mid;
    }
    return lo;
}

// expect: overflow=proved contract=proved
/*@ requires 0 <= lo && lo * lo <= n && n < hi * hi && lo < hi && hi <= 46341 && n <= 2147483647 && hi - lo > 1;
    ensures \result * \result <= n && n < (\result + 1) * (\result + 1) || \result == -1; */
long long isqrt_step(long long n, long long lo, long long hi) {
    long long mid = lo + (hi - lo) / 2;
    if (mid * mid <= n) lo = mid; else hi = mid;
    if (hi - lo > 1) return -1;
    return lo;
}

// expect: overflow=counterexample
int isqrt_naive(int n) {
    int r = 0;
    while (r * r <= n) r++;
    return r - 1;
}

// expect: overflow=proved contract=proved
/*@ requires a >= 0 && b >= 0;
    ensures \result >= 0; */
int gcd(int a, int b) {
    /*@ loop invariant a >= 0 && b >= 0; */
    while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

// expect: overflow=counterexample
int lcm_unchecked(int a, int b) {
    if (a <= 0 || b <= 0) return 0;
    int g = a, h = b;
    while (h != 0) { int t = g % h; g = h; h = t; }
    return a * (b / g);
}

// expect: overflow=proved
/*@ requires 0 < a && a <= 46340 && 0 < b && b <= 46340 && 0 < g && g <= b; */
int lcm_bounded(int a, int b, int g) {
    return a * (b / g);
}

// expect: overflow=proved contract=proved
/*@ requires 1 < m && m <= 46340 && 0 <= b && b < m;
    ensures 0 <= \result && \result < m; */
int mulmod(int a, int b, int m) {
    int x = b * b;
    return x % m;
}

// expect: overflow=proved contract=proved
/*@ requires 1 < m && m <= 3037000499 && 0 <= base && base < m && e >= 0;
    ensures 0 <= \result && \result < m; */
long long modpow(long long base, long long e, long long m) {
    long long r = 1 % m;
    /*@ loop invariant 0 <= r && r < m && 0 <= base && base < m && e >= 0; */
    while (e > 0) {
        if (e % 2 == 1) r = (r * base) % m;
        base = (base * base) % m;
        e = e / 2;
    }
    return r;
}

// expect: overflow=counterexample
long long modpow_unbounded(long long base, long long e, long long m) {
    if (m <= 1 || base < 0 || e < 0) return 0;
    long long r = 1;
    while (e > 0) {
        if (e % 2 == 1) r = (r * base) % m;
        base = (base * base) % m;
        e = e / 2;
    }
    return r;
}

// expect: overflow=counterexample
/*@ requires 0 <= lo && lo <= hi; */
int midpoint_sum(int lo, int hi) {
    return (lo + hi) / 2;
}

// expect: overflow=proved contract=proved
/*@ requires 0 <= lo && lo <= hi;
    ensures lo <= \result && \result <= hi; */
int midpoint_diff(int lo, int hi) {
    return lo + (hi - lo) / 2;
}

// expect: overflow=proved contract=proved
/*@ requires lo <= hi;
    ensures lo <= \result && \result <= hi; */
long long midpoint_wide(int lo, int hi) {
    return ((long long)lo + (long long)hi) / 2;
}

// expect: overflow=counterexample
int abs_naive(int x) {
    return x < 0 ? -x : x;
}

// expect: overflow=proved contract=proved
/*@ requires x > -2147483648;
    ensures \result >= 0 && (\result == x || \result == -x); */
int abs_pre(int x) {
    return x < 0 ? -x : x;
}

// expect: overflow=proved contract=proved
/*@ ensures \result >= 0; */
long long abs_wide(int x) {
    long long y = x;
    return y < 0 ? -y : y;
}

// expect: overflow=proved contract=proved
/*@ requires a >= 0 && b >= 0 && a <= 1000000 && b <= 1000000;
    ensures \result == a * b + a + b; */
long long poly(long long a, long long b) {
    return (a + 1) * (b + 1) - 1;
}

// expect: overflow=proved contract=proved
/*@ requires 0 <= x && x <= 100000 && 0 <= y && y <= 100000;
    ensures \result >= 2 * x * y; */
long long squares(long long x, long long y) {
    return x * x + y * y;
}
