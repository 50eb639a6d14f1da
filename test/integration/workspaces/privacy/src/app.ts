// Calls the model API. The suite plants a fake key of the real shape on the line after the next at
// run time (no token-shaped literal is committed): PLANTED_SECRET_LINE
export function authHeaders(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

