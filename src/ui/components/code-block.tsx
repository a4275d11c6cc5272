export interface CodeBlockProps {
  /** One command or line of code per entry. */
  lines: readonly string[];
  /** Shown in the title bar, e.g. "Terminal" or a file name. */
  label?: string;
  /** Prefix each line with a "$" prompt that is not selected when copying. */
  shell?: boolean;
  /** Program output shown after the lines, dimmed and without a prompt. */
  output?: readonly string[];
}

export function CodeBlock(props: CodeBlockProps) {
  return (
    <figure class="code-block">
      {props.label !== undefined && (
        <figcaption class="code-block__bar">
          <span class="code-block__dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          <span class="code-block__label">{props.label}</span>
        </figcaption>
      )}
      {/*
        Focusable and named: a long line scrolls the block, and keyboard users must reach that
        scroll. A named group (not a landmark), since a page may hold several blocks.
      */}
      {/* biome-ignore lint/a11y/useSemanticElements: <fieldset> groups form controls; these are lines of code */}
      <pre class="code-block__pre" tabindex={0} role="group" aria-label={props.label ?? "Code"}>
        <code>
          {props.lines.map((line, i) => (
            <>
              {props.shell && (
                <span class="code-block__prompt" aria-hidden="true">
                  ${" "}
                </span>
              )}
              {line}
              {i < props.lines.length - 1 ? "\n" : ""}
            </>
          ))}
          {props.output?.map((line) => (
            <>
              {"\n"}
              <span class="code-block__output">{line}</span>
            </>
          ))}
        </code>
      </pre>
    </figure>
  );
}
