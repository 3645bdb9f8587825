/* CERT INT30-C / INT32-C checked arithmetic, in every form, and the unchecked versions. */
#include <limits.h>

// expect: overflow=proved
int add_pre_check(int a, int b) {
    if ((b > 0 && a > INT_MAX - b) || (b < 0 && a < INT_MIN - b)) return 0;
    return a + b;
}

// expect: overflow=counterexample
int add_unchecked(int a, int b) {
    return a + b;
}

// expect: overflow=proved
long long add_widened(int a, int b) {
    long long s = (long long)a + (long long)b;
    return s;
}

// expect: overflow=proved
int sub_pre_check(int a, int b) {
    if ((b > 0 && a < INT_MIN + b) || (b < 0 && a > INT_MAX + b)) return 0;
    return a - b;
}

// expect: overflow=counterexample
int sub_wrong_check(int a, int b) {
    if (b > 0 && a < INT_MIN + b) return 0;
    return a - b;
}

// expect: overflow=proved
int mul_cert(int a, int b) {
    if (a > 0) {
        if (b > 0) { if (a > INT_MAX / b) return 0; }
        else { if (b < INT_MIN / a) return 0; }
    } else {
        if (b > 0) { if (a < INT_MIN / b) return 0; }
        else { if (a != 0 && b < INT_MAX / a) return 0; }
    }
    return a * b;
}

// expect: overflow=proved
long mul_cert_long(long a, long b) {
    if (a > 0) {
        if (b > 0) { if (a > LONG_MAX / b) return 0; }
        else { if (b < LONG_MIN / a) return 0; }
    } else {
        if (b > 0) { if (a < LONG_MIN / b) return 0; }
        else { if (a != 0 && b < LONG_MAX / a) return 0; }
    }
    return a * b;
}

// expect: overflow=counterexample
int mul_half_checked(int a, int b) {
    if (a > 0 && b > 0 && a > INT_MAX / b) return 0;
    return a * b;
}

// expect: overflow=proved
int mul_positive(int a, int b) {
    if (a <= 0 || b <= 0) return 0;
    if (a > INT_MAX / b) return -1;
    return a * b;
}

// expect: overflow=proved
int div_cert(int a, int b) {
    if (b == 0 || (a == INT_MIN && b == -1)) return 0;
    return a / b;
}

// expect: overflow=counterexample
int div_zero_only(int a, int b) {
    if (b == 0) return 0;
    return a / b;
}

// expect: overflow=proved
int mod_cert(int a, int b) {
    if (b == 0 || (a == INT_MIN && b == -1)) return 0;
    return a % b;
}

// expect: overflow=proved
int neg_cert(int a) {
    if (a == INT_MIN) return 0;
    return -a;
}

// expect: overflow=proved contract=proved
/*@ requires b > 0;
    ensures 0 <= \result && \result < b; */
int mod_positive(int a, int b) {
    int r = a % b;
    if (r < 0) r = r + b;
    return r;
}

// expect: overflow=proved contract=proved
/*@ requires b != 0 && !(a == -2147483648 && b == -1);
    ensures \result * b + a % b == a; */
int div_identity(int a, int b) {
    return a / b;
}
