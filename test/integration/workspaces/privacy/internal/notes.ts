// tandemignore_marker: internal pricing notes, excluded by .tandemignore.
export const discountTable = [0.1, 0.15, 0.2];

