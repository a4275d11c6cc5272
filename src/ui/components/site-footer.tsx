export function SiteFooter(props: { appName: string; version: string }) {
  return (
    <footer class="site-footer">
      <div class="container site-footer__inner">
        <p class="site-footer__brand">
          <strong>{props.appName}</strong>{" "}
          <span class="site-footer__version">v{props.version}</span>
        </p>
        <nav class="site-footer__nav" aria-label="Footer">
          <a href="/docs">Documentation</a>
          <a href="/healthz">Status</a>
        </nav>
      </div>
    </footer>
  );
}
