import { ButtonLink } from "../ui/components/button.js";

/** The development tools, in the order the /dev index lists them. */
export const DEV_TOOLS: ReadonlyArray<{ href: string; title: string; description: string }> = [
  {
    href: "/dev/mail",
    title: "Mail",
    description: "Mail the app sent since it started, with its links (verification, reset).",
  },
  {
    href: "/dev/test-email",
    title: "Test email",
    description: "Send one real message through the configured mailer and see its answer.",
  },
  {
    href: "/dev/oauth",
    title: "OAuth providers",
    description: "Which sign-in providers are configured, and the callback URL each must register.",
  },
];

/** The way back to the /dev index, in each tool's page header. */
export function DevToolsLink() {
  return (
    <ButtonLink href="/dev" variant="secondary" size="sm">
      All development tools
    </ButtonLink>
  );
}
