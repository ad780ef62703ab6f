import type { Clock } from '../../core/clock.js';
import { AppError, validationError } from '../../core/errors.js';
import type { Db } from '../../storage/database.js';
import { newId } from '../../storage/ids.js';
import { insertAudit } from '../../storage/repositories/audit.repository.js';
import {
  deleteGroup,
  findGroup,
  insertGroup,
  listGroups,
  updateGroup,
} from '../../storage/repositories/unsubscribe-group.repository.js';
import type { UnsubscribeGroupRow } from '../../storage/schema.js';

export interface UnsubscribeGroup {
  id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const MAX_NAME = 100;
const MAX_DESCRIPTION = 1_000;

function toGroup(r: UnsubscribeGroupRow): UnsubscribeGroup {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

function checkText(field: string, value: string | undefined, max: number, required: boolean): void {
  if (value === undefined) {
    if (required) throw validationError(field, 'required');
    return;
  }
  if (required && value.trim() === '') throw validationError(field, 'must not be empty');
  if (value.length > max) throw validationError(field, `longer than ${max} characters`);
}

/** Unsubscribe groups (the scopes recipients manage on their preference page); changes audited. */
export class GroupService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async list(): Promise<UnsubscribeGroup[]> {
    return (await listGroups(this.deps.db.kysely)).map(toGroup);
  }

  async create(
    input: { id?: string | undefined; name: string; description?: string | undefined },
    actor: string,
  ): Promise<UnsubscribeGroup> {
    const now = this.deps.clock.now();
    const id = input.id ?? `group-${newId(now).toLowerCase()}`;
    if (!ID_PATTERN.test(id) || id === '*')
      throw validationError('id', 'letters, digits and . _ : - only, up to 100 characters');
    checkText('name', input.name, MAX_NAME, true);
    checkText('description', input.description, MAX_DESCRIPTION, false);
    const row = {
      id,
      name: input.name.trim(),
      description: input.description ?? '',
      created_at: now,
      updated_at: now,
    };
    return this.deps.db.kysely.transaction().execute(async (trx) => {
      if (!(await insertGroup(trx, row)))
        throw new AppError('BOUNCER_ERR_CONFLICT', `a group with id ${id} exists`);
      await this.audit(trx, actor, 'group-create', id, null, row);
      return toGroup(row);
    });
  }

  async update(
    id: string,
    patch: { name?: string | undefined; description?: string | undefined },
    actor: string,
  ): Promise<UnsubscribeGroup> {
    checkText('name', patch.name, MAX_NAME, patch.name !== undefined);
    checkText('description', patch.description, MAX_DESCRIPTION, false);
    const now = this.deps.clock.now();
    return this.deps.db.kysely.transaction().execute(async (trx) => {
      const before = await findGroup(trx, id);
      const changes: { name?: string; description?: string } = {};
      if (patch.name !== undefined) changes.name = patch.name.trim();
      if (patch.description !== undefined) changes.description = patch.description;
      if (!before || !(await updateGroup(trx, id, changes, now)))
        throw new AppError('BOUNCER_ERR_NOT_FOUND', `no group ${id}`);
      const after = { ...before, ...changes, updated_at: now };
      await this.audit(trx, actor, 'group-update', id, before, after);
      return toGroup(after);
    });
  }

  async remove(id: string, actor: string): Promise<void> {
    await this.deps.db.kysely.transaction().execute(async (trx) => {
      const before = await findGroup(trx, id);
      if (!before || !(await deleteGroup(trx, id)))
        throw new AppError('BOUNCER_ERR_NOT_FOUND', `no group ${id}`);
      await this.audit(trx, actor, 'group-delete', id, before, null);
    });
  }

  private async audit(
    trx: Parameters<typeof insertAudit>[0],
    actor: string,
    action: string,
    id: string,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await insertAudit(trx, {
      id: newId(now),
      at: now,
      actor,
      action,
      channel: null,
      address: null,
      scope: id,
      before: before === null ? null : JSON.stringify(before),
      after: after === null ? null : JSON.stringify(after),
      note: null,
    });
  }
}
