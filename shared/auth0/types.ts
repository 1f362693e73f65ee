/**
 * The parts of the Auth0 Actions v2 `event` and `api` objects that tollguard reads or calls.
 * Written from the documented shapes (send-phone-message v2, pre-user-registration v2); every
 * field is optional-tolerant at run time because a guard must survive malformed events.
 */

export interface GeoIp {
  cityName?: string;
  continentCode?: string;
  countryCode?: string;
  countryCode3?: string;
  countryName?: string;
  latitude?: number;
  longitude?: number;
  subdivisionCode?: string;
  subdivisionName?: string;
  timeZone?: string;
}

export interface EventRequest {
  ip: string;
  method?: string;
  hostname?: string;
  language?: string;
  user_agent?: string;
  geoip?: GeoIp;
  body?: Record<string, unknown>;
}

export interface EventUser {
  user_id?: string;
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_verified?: boolean;
  username?: string;
  name?: string;
  created_at?: string;
  updated_at?: string;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  identities?: unknown[];
  /** The custom-phone-provider event's user only: logins so far (Auth0 counts one before MFA, completed or not). */
  login_count?: number;
}

export type MessageType = 'sms' | 'voice';
export type MessageAction = 'enrollment' | 'second-factor-authentication';

export interface MessageOptions {
  action: MessageAction;
  code: string;
  message_type: MessageType;
  recipient: string;
  text: string;
}

export interface SendPhoneMessageEvent {
  message_options: MessageOptions;
  request: EventRequest;
  user?: EventUser;
  client?: { client_id: string; name?: string; metadata?: Record<string, string> };
  tenant?: { id: string };
  secrets: Record<string, string | undefined>;
  transaction?: { correlation_id?: string };
  custom_domain?: { domain: string };
  security_context?: { ja3?: string; ja4?: string };
}

export interface PreUserRegistrationEvent {
  user: EventUser;
  request: EventRequest;
  connection: { id: string; name: string; strategy: string; metadata?: Record<string, string> };
  client?: { client_id: string; name?: string; metadata?: Record<string, string> };
  tenant?: { id: string };
  secrets: Record<string, string | undefined>;
  transaction?: Record<string, unknown>;
}

export interface CacheRecord {
  value: string;
  expires_at: number;
}

export type CacheWriteResult =
  | { type: 'success'; record?: CacheRecord }
  | { type: 'error'; code: string };

export interface ActionsCache {
  get(key: string): CacheRecord | undefined;
  set(key: string, value: string, options?: { ttl?: number; expires_at?: number }): CacheWriteResult;
  delete(key: string): CacheWriteResult;
}

export interface SendPhoneMessageApi {
  cache: ActionsCache;
}

export interface PreUserRegistrationApi {
  access: { deny(reason: string, userMessage: string): void };
  validation: { error(errorCode: string, errorMessage: string): void };
  user: {
    setAppMetadata(key: string, value: unknown): void;
    setUserMetadata(key: string, value: unknown): void;
  };
  cache: ActionsCache;
}

export type PhoneDeliveryMethod = 'text' | 'voice';
export type PhoneNotificationType = 'otp_verify' | 'otp_enroll' | 'blocked_account' | 'change_password' | 'password_breach';

export interface PhoneNotification {
  recipient: string;
  delivery_method: PhoneDeliveryMethod;
  message_type: PhoneNotificationType;
  /** Present for the OTP types. */
  code?: string;
  as_text: string;
  as_voice: string;
  from?: string;
  locale?: string;
}

export interface CustomPhoneProviderEvent {
  notification: PhoneNotification;
  request?: EventRequest;
  user?: EventUser;
  client?: { client_id: string; name?: string; metadata?: Record<string, string> };
  connection?: { id: string; name: string; strategy: string; metadata?: Record<string, string> };
  organization?: { id: string; name?: string; display_name?: string; metadata?: Record<string, string> };
  tenant?: { id: string; friendly_name?: string; home_url?: string; logo_url?: string; support_email?: string; support_url?: string };
  custom_domain?: { domain: string; domain_metadata?: Record<string, string> };
  secrets: Record<string, string | undefined>;
  transaction?: { correlation_id?: string };
}

export interface CustomPhoneProviderApi {
  cache: ActionsCache;
  notification: {
    /** The notification failed without recovery: Auth0 logs it and does not send it again. */
    drop(reason: string): void;
    /** The notification failed but may recover: Auth0 runs the Action again, up to 5 times. */
    retry(reason: string): void;
  };
}
