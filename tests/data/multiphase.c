void nested(int x, int y) {
    if (!(x <= 65534)) return;
    if (!(y <= 65534)) return;
    if (!(y >= -65534)) return;
    while (x >= 0) { x = x + y; y = y - 1; }
}
