import { Card } from "../ui/components/card.js";
import { Page } from "../ui/components/card-page.js";
import { DEV_TOOLS } from "./nav.js";

/** GET /dev: the development tools, one card each. */
export function DevIndexPage() {
  return (
    <Page
      eyebrow="Development only"
      title="Development tools"
      description="Pages for building and debugging the app. They do not exist in production."
    >
      <ul class="dev-tools__list">
        {DEV_TOOLS.map((tool) => (
          <li>
            <Card title={<a href={tool.href}>{tool.title}</a>}>
              <p>{tool.description}</p>
            </Card>
          </li>
        ))}
      </ul>
    </Page>
  );
}
