export function Analytics() {
  return <div class="card card-pad">Analytics</div>;
}
