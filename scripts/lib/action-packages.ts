/** The npm packages an Action may require at run time: those Auth0 installs as declared dependencies. */
export const ACTION_PACKAGES = ['libphonenumber-js', 'disposable-email-domains-js', 'free-email-domains-typescript'];
