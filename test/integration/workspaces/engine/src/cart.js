// A plain JavaScript file (fixtures are not type-checked with the project): line 6 is unfinished on purpose.

/** @param {{ name: string, price: number }[]} items */
export function cartTotal(items) {
  const count = items.length;
  let total
  return { count, total };
}
