export function add(a: number, b: number): number {
  return a + b;
}

export function scale(values: number[], factor: number): number[] {
  const out = [];
  for (let i = 0; i < values.length; i++) out.push(values[i] * factor);
  return out;
}

