/**
 * Message senders: the one place an OTP leaves tollguard. Twilio Programmable Messaging + Voice,
 * Twilio Verify (with Auth0's code as the custom code), or a dry run that prints what would go out
 * with the code masked.
 */
import type { Channel } from '../engine/types';
import { maskPhoneNumber } from '../phone/mask';
import type { TwilioRest } from './twilio-rest';
import { buildVoiceTwiml } from './twiml';

export interface OutgoingMessage {
  channel: Channel;
  to: string;
  code: string;
  text: string;
}

export interface DeliveryReceipt {
  provider: 'twilio-messaging' | 'twilio-voice' | 'twilio-verify' | 'dry-run';
  sid: string | undefined;
  status: string | undefined;
}

export interface MessageSender {
  send(message: OutgoingMessage): Promise<DeliveryReceipt>;
}

export interface MessagingSenderOptions {
  from: string | undefined;
  messagingServiceSid: string | undefined;
  voiceFrom: string | undefined;
  smsValiditySeconds: number;
  voice: { language: string; voice: string | undefined; repeat: number };
}

/** SMS through Programmable Messaging, voice as a call with inline TwiML. */
export class TwilioMessagingSender implements MessageSender {
  constructor(
    private readonly rest: TwilioRest,
    private readonly options: MessagingSenderOptions,
  ) {}

  async send(message: OutgoingMessage): Promise<DeliveryReceipt> {
    return message.channel === 'voice' ? this.call(message) : this.sms(message);
  }

  private async sms(message: OutgoingMessage): Promise<DeliveryReceipt> {
    const url = `${this.rest.endpoints.api}/2010-04-01/Accounts/${this.rest.accountSid}/Messages.json`;
    const answer = await this.rest.post(url, {
      To: message.to,
      ...(this.options.messagingServiceSid !== undefined
        ? { MessagingServiceSid: this.options.messagingServiceSid }
        : { From: this.options.from }),
      Body: message.text,
      ValidityPeriod: String(this.options.smsValiditySeconds),
    });
    return receipt('twilio-messaging', answer);
  }

  private async call(message: OutgoingMessage): Promise<DeliveryReceipt> {
    const from = this.options.voiceFrom ?? this.options.from;
    if (from === undefined) {
      throw new Error('voice needs TWILIO_VOICE_FROM_NUMBER or TWILIO_FROM_NUMBER');
    }
    const url = `${this.rest.endpoints.api}/2010-04-01/Accounts/${this.rest.accountSid}/Calls.json`;
    const twiml = buildVoiceTwiml({ text: message.text, code: message.code, ...this.options.voice });
    const answer = await this.rest.post(url, { To: message.to, From: from, Twiml: twiml, Timeout: '30' });
    return receipt('twilio-voice', answer);
  }
}

/** Twilio Verify with Auth0's own code as CustomCode (the Verify Service must allow custom codes). */
export class TwilioVerifySender implements MessageSender {
  constructor(
    private readonly rest: TwilioRest,
    private readonly serviceSid: string,
    private readonly locale: string | undefined,
  ) {}

  async send(message: OutgoingMessage): Promise<DeliveryReceipt> {
    const url = `${this.rest.endpoints.verify}/v2/Services/${this.serviceSid}/Verifications`;
    const answer = await this.rest.post(url, {
      To: message.to,
      Channel: message.channel === 'voice' ? 'call' : 'sms',
      CustomCode: message.code,
      Locale: this.locale,
    });
    return receipt('twilio-verify', answer);
  }
}

/** Prints what would be sent, with the code masked, and sends nothing. */
export class DryRunSender implements MessageSender {
  constructor(private readonly print: (line: string) => void) {}

  async send(message: OutgoingMessage): Promise<DeliveryReceipt> {
    const masked = maskPhoneNumber(message.to);
    const text = message.code.length > 0 ? message.text.split(message.code).join('*'.repeat(message.code.length)) : message.text;
    this.print(`[dry-run] would send ${message.channel} to ${masked}: ${JSON.stringify(text)}`);
    return { provider: 'dry-run', sid: undefined, status: 'dry-run' };
  }
}

function receipt(provider: DeliveryReceipt['provider'], answer: Record<string, unknown>): DeliveryReceipt {
  return {
    provider,
    sid: typeof answer['sid'] === 'string' ? answer['sid'] : undefined,
    status: typeof answer['status'] === 'string' ? answer['status'] : undefined,
  };
}
