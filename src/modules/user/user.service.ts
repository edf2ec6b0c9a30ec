import type { DataSource } from 'typeorm';
import { badInput } from '../../shared/errors';
import { requiredText } from '../../shared/text';
import { checkNewPassword } from '../auth/auth.service';
import { hashPassword } from '../auth/secrets';
import { TEXT_LIMITS } from '../../shared/text-limits';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Accounts as an operator creates them from the command line (the first OWNER of a fresh
 * install). Users are not tenant data: they belong to no team until added to one.
 */
export class UserAdmin {
  constructor(private readonly dataSource: DataSource) {}

  async create(email: string, name: string, password: string | null): Promise<{ id: string; email: string; name: string }> {
    const normalized = email.trim().toLowerCase();
    if (!EMAIL.test(normalized)) throw badInput('email is not a valid email address', 'email');
    const displayName = requiredText(name, 'name', TEXT_LIMITS.name.max);
    const hash = password === null ? null : await hashPassword(checkNewPassword(password));
    const rows = (await this.dataSource.query(
      `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT (email) DO NOTHING RETURNING id, email, name`,
      [normalized, displayName, hash],
    )) as { id: string; email: string; name: string }[];
    if (rows.length === 0) throw badInput(`A user with the email ${normalized} already exists`, 'email');
    return rows[0];
  }

  async setPassword(email: string, password: string): Promise<void> {
    const hash = await hashPassword(checkNewPassword(password));
    const result = (await this.dataSource.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE email = $1 RETURNING id', [
      email.trim().toLowerCase(),
      hash,
    ])) as [unknown[], number];
    if (result[1] === 0) throw badInput(`No user has the email ${email}`, 'email');
    // A reset password ends every login session of the account.
    await this.dataSource.query(
      `UPDATE api_tokens SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE email = $1) AND kind = 'SESSION' AND revoked_at IS NULL`,
      [email.trim().toLowerCase()],
    );
  }
}
