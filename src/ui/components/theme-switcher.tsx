import type { Theme } from "../../http/context.js";
import { CsrfField } from "./form.js";
import { Icon, type IconName } from "./icon.js";

const OPTIONS: readonly { value: Theme; label: string; icon: IconName }[] = [
  { value: "light", label: "Light", icon: "sun" },
  { value: "dark", label: "Dark", icon: "moon" },
  { value: "system", label: "System", icon: "monitor" },
];

/**
 * A plain form, so switching works with no script at all (and nothing inline
 * for the CSP to block): the clicked button submits its own name/value, the
 * server sets the cookie and redirects back.
 */
export function ThemeSwitcher(props: { current: Theme }) {
  return (
    <form class="theme-switcher" method="post" action="/account/theme">
      <CsrfField />
      <fieldset class="theme-switcher__group">
        <legend class="visually-hidden">Colour theme</legend>
        {OPTIONS.map((o) => (
          <button
            type="submit"
            name="theme"
            value={o.value}
            class="theme-switcher__option"
            aria-pressed={o.value === props.current ? "true" : "false"}
            title={`${o.label} theme`}
          >
            <Icon name={o.icon} />
            <span class="visually-hidden">{o.label}</span>
          </button>
        ))}
      </fieldset>
    </form>
  );
}
