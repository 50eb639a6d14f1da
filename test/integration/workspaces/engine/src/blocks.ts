export function f() {
  
}
