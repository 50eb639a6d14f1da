// Rectangles, for the refactor suite.
export function area(w: number, h: number): number {
  var result = w * h;
  return result;
}

export function perimeter(w: number, h: number): number {
  return 2 * (w + h);
}
