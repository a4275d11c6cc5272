import type { Child } from "hono/jsx";

/**
 * One element of an icon: a string is a path's `d`; a tuple names a basic
 * shape and its geometry in attribute order (rect: width, height, x, y, rx).
 */
type Part =
  | string
  | readonly ["circle", number, number, number]
  | readonly ["ellipse", number, number, number, number]
  | readonly ["rect", number, number, number, number, number?];

/** Fresh nodes on every render: JSX nodes are not shared between pages. */
function drawPart(part: Part): Child {
  if (typeof part === "string") return <path d={part} />;
  switch (part[0]) {
    case "circle":
      return <circle cx={`${part[1]}`} cy={`${part[2]}`} r={`${part[3]}`} />;
    case "ellipse":
      return <ellipse cx={`${part[1]}`} cy={`${part[2]}`} rx={`${part[3]}`} ry={`${part[4]}`} />;
    case "rect": {
      const [, width, height, x, y, rx] = part;
      return (
        <rect
          width={`${width}`}
          height={`${height}`}
          x={`${x}`}
          y={`${y}`}
          rx={rx === undefined ? undefined : `${rx}`}
        />
      );
    }
  }
}

/**
 * Stroke icons drawn on a 24px grid (shapes after the ISC-licensed Lucide set).
 * Inline <svg> needs no CSP allowance; stroke and size come from CSS (.icon),
 * so there is no style attribute anywhere. Data, drawn by drawPart on every render.
 */
const SHAPES = {
  sun: [
    ["circle", 12, 12, 4],
    "M12 2v2M12 20v2M4.93 4.93l1.41 1.41M17.66 17.66l1.41 1.41M2 12h2M20 12h2M6.34 17.66l-1.41 1.41M19.07 4.93l-1.41 1.41",
  ],
  moon: ["M12 3a6 6 0 0 0 9 9 9 9 0 1 1-9-9Z"],
  monitor: [["rect", 20, 14, 2, 3, 2], "M8 21h8M12 17v4"],
  shield: [
    "M20 13c0 5-3.5 7.5-7.66 8.95a1 1 0 0 1-.67-.01C7.5 20.5 4 18 4 13V6a1 1 0 0 1 1-1c2 0 4.5-1.2 6.24-2.72a1.17 1.17 0 0 1 1.52 0C14.51 3.81 17 5 19 5a1 1 0 0 1 1 1z",
    "m9 12 2 2 4-4",
  ],
  users: [
    "M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2",
    ["circle", 9, 7, 4],
    "M22 21v-2a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75",
  ],
  phone: [["rect", 14, 20, 5, 2, 2], "M12 18h.01M9 8l2 2 4-4"],
  login: ["M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4", "m10 17 5-5-5-5M15 12H3"],
  lock: [["rect", 18, 11, 3, 11, 2], "M7 11V7a5 5 0 0 1 10 0v4"],
  log: [
    "M15 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V7Z",
    "M14 2v4a2 2 0 0 0 2 2h4M16 13H8M16 17H8M10 9H8",
  ],
  activity: ["M22 12h-4l-3 9L9 3l-3 9H2"],
  database: [["ellipse", 12, 5, 9, 3], "M3 5v14a9 3 0 0 0 18 0V5", "M3 12a9 3 0 0 0 18 0"],
  dashboard: [
    ["rect", 7, 9, 3, 3, 1],
    ["rect", 7, 5, 14, 3, 1],
    ["rect", 7, 9, 14, 12, 1],
    ["rect", 7, 5, 3, 16, 1],
  ],
  book: ["M2 3h6a4 4 0 0 1 4 4v14a3 3 0 0 0-3-3H2z", "M22 3h-6a4 4 0 0 0-4 4v14a3 3 0 0 1 3-3h7z"],
  arrowRight: ["M5 12h14M12 5l7 7-7 7"],
  check: ["M20 6 9 17l-5-5"],
  alert: [["circle", 12, 12, 10], "M12 8v4M12 16h.01"],
  info: [["circle", 12, 12, 10], "M12 16v-4M12 8h.01"],
  clock: [["circle", 12, 12, 10], "M12 6v6l4 2"],
  printer: [
    "M6 9V2h12v7",
    "M6 18H4a2 2 0 0 1-2-2v-5a2 2 0 0 1 2-2h16a2 2 0 0 1 2 2v5a2 2 0 0 1-2 2h-2",
    ["rect", 12, 8, 6, 14],
  ],
  download: ["M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3"],
  terminal: ["m4 17 6-6-6-6M12 19h8"],
  home: ["M3 10 12 3l9 7v10a1 1 0 0 1-1 1h-5v-7H9v7H4a1 1 0 0 1-1-1z"],
} satisfies Record<string, readonly Part[]>;

export type IconName = keyof typeof SHAPES;

export function Icon(props: { name: IconName; class?: string }) {
  return (
    <svg
      class={props.class ? `icon ${props.class}` : "icon"}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
    >
      {SHAPES[props.name].map(drawPart)}
    </svg>
  );
}
