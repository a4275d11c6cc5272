import { appLink, composeEmail, type EmailBase, type RenderedEmail } from "./layout.js";

/** What differs between mails that carry one single-use link (verify, reset, confirm a change). */
export interface SingleUseLinkMail {
  template: string;
  subject: string;
  /** Why the mail came: the first paragraph. */
  intro: string;
  /** The button's words. */
  action: string;
  /** The app path the token goes to, as `?token=`. */
  path: string;
  /** How long the link works, e.g. "30 minutes". */
  validFor: string;
  /** Said right after the lifetime, e.g. that asking again replaces the link. */
  validForAddendum?: string;
  /** What to do when the mail was not asked for. */
  note: string;
}

/**
 * One shape for every mail whose job is a single-use link: why it came, the
 * button, how long the link lasts (it works once), and what to do if it was
 * not you. The token only ever travels in the link.
 */
export function singleUseLinkEmail(
  props: EmailBase & { token: string },
  mail: SingleUseLinkMail,
): RenderedEmail {
  const addendum = mail.validForAddendum ? ` ${mail.validForAddendum}` : "";
  return composeEmail({
    ...props,
    template: mail.template,
    subject: mail.subject,
    blocks: [
      mail.intro,
      { action: mail.action, url: appLink(props.appUrl, mail.path, { token: props.token }) },
      `The link works once and expires in ${mail.validFor}.${addendum}`,
      { note: mail.note },
    ],
  });
}
