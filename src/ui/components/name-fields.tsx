import { Field } from "./field.js";

type NameKey = "first_name" | "last_name";

/** The two name inputs, first required, last optional: one table so sign-up and profile agree. */
const NAME_FIELDS: readonly {
  name: NameKey;
  label: string;
  autocomplete: string;
  required: boolean;
}[] = [
  { name: "first_name", label: "First name", autocomplete: "given-name", required: true },
  { name: "last_name", label: "Last name", autocomplete: "family-name", required: false },
];

export interface NameFieldsProps {
  values: Partial<Record<NameKey, string>>;
  errors: Partial<Record<NameKey, string>>;
  /** The server's limit (src/security/form-fields.ts NAME_MAX_CHARS), passed in: ui calls no service. */
  maxChars: number;
  /** Focus the first name when the form opens empty (sign-up). */
  autofocus?: boolean;
}

/** First and last name, as every form that asks for a person's name shows them. */
export function NameFields(props: NameFieldsProps) {
  return (
    <>
      {NAME_FIELDS.map((f) => (
        <Field
          name={f.name}
          label={f.label}
          value={props.values[f.name]}
          error={props.errors[f.name]}
          autocomplete={f.autocomplete}
          maxlength={props.maxChars}
          required={f.required}
          autofocus={f.required ? props.autofocus : undefined}
        />
      ))}
    </>
  );
}
