#include <assert.h>
/*@ requires 0 <= n && n <= 1000; */
int step2(int n) {
    int i = 0;
    while (i < n) i += 2;
    assert(i % 2 == 0);
    return i;
}

void step2_unbounded(int n) {
    int i = 0;
    while (i < n) i += 2;
    assert(i % 2 == 0);
}

/*@ requires 0 <= n && n <= 1000; */
int accumulate(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += 2;
    assert(s == 2 * n);
    return s;
}

/*@ requires 0 <= n && n <= 1000; */
int accumulate_overflow_only(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += 2;
    return s;
}

/*@ requires 0 <= n && n <= 1000 && 0 <= m && m <= 1000; */
int shifted(int n, int m) {
    int i = 0, j = m;
    while (i < n) { i++; j += 3; }
    assert(j == m + 3 * n);
    return j;
}

/*@ requires 0 <= n && n <= 1000; */
int accumulate_wrong(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += 2;
    assert(s == 2 * n + 1);
    return s;
}

/*@ requires 0 <= n && n <= 100; */
int big_steps(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += 1000000000;
    return s;
}

/*@ requires 0 <= n && n <= 100 && 0 <= m && m <= 100; */
int product(int n, int m) {
    int c = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
            c++;
    assert(c == n * m);
    return c;
}
