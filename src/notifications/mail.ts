// Email through nodemailer, when SMTP_URL is configured; without it the app only notifies in-app.
import nodemailer from "nodemailer";
import type { Config } from "../config.ts";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  from: string;
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function createMailer(config: Pick<Config, "SMTP_URL" | "MAIL_FROM">): Mailer | null {
  if (!config.SMTP_URL) return null;
  const transport = nodemailer.createTransport(config.SMTP_URL);
  return {
    from: config.MAIL_FROM,
    async send(mail) {
      await transport.sendMail({ from: config.MAIL_FROM, ...mail });
    },
    close: () => transport.close(),
  };
}

/** The base of links in emails: APP_URL, else the address the server listens on. */
export function appUrlOf(config: Pick<Config, "APP_URL" | "HOST" | "PORT">): string {
  return (config.APP_URL ?? `http://${config.HOST === "0.0.0.0" ? "localhost" : config.HOST}:${config.PORT}`).replace(/\/+$/, "");
}
