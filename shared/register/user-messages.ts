/**
 * The message a refused user sees: generic on purpose (it never says which rule fired), in the
 * request's language when we have it, or the admin's own text from GUARD_SIGNUP_DENY_MESSAGE.
 */
const MESSAGES: Readonly<Record<string, string>> = {
  en: 'We could not create your account. Please try again later or contact support.',
  fr: "Nous n'avons pas pu créer votre compte. Veuillez réessayer plus tard ou contacter le support.",
  de: 'Wir konnten Ihr Konto nicht erstellen. Bitte versuchen Sie es später erneut oder wenden Sie sich an den Support.',
  es: 'No pudimos crear tu cuenta. Inténtalo de nuevo más tarde o ponte en contacto con el soporte.',
  pt: 'Não foi possível criar sua conta. Tente novamente mais tarde ou entre em contato com o suporte.',
  it: "Non è stato possibile creare il tuo account. Riprova più tardi o contatta l'assistenza.",
  nl: 'We konden je account niet aanmaken. Probeer het later opnieuw of neem contact op met support.',
};

export function denialMessage(language: string | undefined, override: string | undefined): string {
  if (override !== undefined) return override;
  const primary = language?.split(/[,;]/)[0]?.trim().split('-')[0]?.toLowerCase();
  // Own keys only: a language of "constructor" or "__proto__" must not reach the prototype.
  return (primary !== undefined && Object.hasOwn(MESSAGES, primary) ? MESSAGES[primary] : undefined) ?? MESSAGES['en'] ?? '';
}

export const SUPPORTED_LANGUAGES = Object.keys(MESSAGES);
