/** Admin: the channel's agents (create, edit, deactivate, reset password). */
import { useState } from 'preact/hooks';
import type { User, UserRole } from '@flux/protocol';
import { api } from '../../api/api.ts';
import { errorMessage } from '../../api/http.ts';
import { check, email, httpUrl, maxLength, password, required } from '../../lib/validate.ts';
import { formatDateTime } from '../../lib/format.ts';
import { me } from '../../state/session.ts';
import { toast } from '../../state/toast.ts';
import { Button } from '../../ui/Button.tsx';
import { ChipsEditor } from '../../ui/ChipsEditor.tsx';
import { Field, TextField } from '../../ui/Field.tsx';
import { ConfirmDialog } from '../../ui/Modal.tsx';
import { FormDialog } from '../../ui/FormDialog.tsx';
import { Avatar, Empty, PageHead } from '../../ui/misc.tsx';
import { PagedTable } from '../../ui/PagedTable.tsx';
import { usePaged } from '../../ui/usePaged.ts';
import { fire } from '../../ui/fire.ts';
import { useSubmit } from '../../ui/useSubmit.ts';

type Dialog =
  | { kind: 'create' }
  | { kind: 'edit'; user: User }
  | { kind: 'password'; user: User }
  | { kind: 'deactivate'; user: User };

export function Agents() {
  const list = usePaged((cursor) => api.admin.agents({ limit: 20, cursor }));
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = () => setDialog(null);
  const saved = (u: User) => {
    list.patch((items) =>
      items.some((x) => x.id === u.id) ? items.map((x) => (x.id === u.id ? u : x)) : [u, ...items],
    );
  };
  return (
    <div>
      <PageHead title="Agents" sub="People who answer calls in this channel.">
        <Button variant="primary" icon="plus" onClick={() => setDialog({ kind: 'create' })}>
          New agent
        </Button>
      </PageHead>
      <section class="card">
        <PagedTable
          list={list}
          testId="agents-table"
          head={
            <>
              <th>Agent</th>
              <th>Role</th>
              <th>Status</th>
              <th>Tags</th>
              <th>Since</th>
              <th class="actions">Actions</th>
            </>
          }
          row={(u) => (
            <tr key={u.id} data-email={u.email} style={u.active ? undefined : { opacity: 0.6 }}>
              <td>
                <div class="row">
                  <Avatar name={u.name} url={u.profilePhotoUrl} size={32} />
                  <div>
                    <div style={{ fontWeight: 600 }}>{u.name}</div>
                    <div class="small muted">{u.email}</div>
                  </div>
                </div>
              </td>
              <td>
                {u.role === 'admin' ? <span class="badge badge-accent">Admin</span> : 'Agent'}
              </td>
              <td>
                {!u.active ? (
                  <span class="badge badge-danger">Deactivated</span>
                ) : u.status === 'online' ? (
                  <span class="badge badge-ok">
                    <span class="dot" /> Online
                  </span>
                ) : (
                  <span class="badge">Offline</span>
                )}
              </td>
              <td>
                <div class="row-wrap" style={{ gap: '4px' }}>
                  {u.tags.length ? (
                    u.tags.map((t) => (
                      <span key={t} class="chip chip-static">
                        {t}
                      </span>
                    ))
                  ) : (
                    <span class="muted">—</span>
                  )}
                </div>
              </td>
              <td class="nowrap small muted">{formatDateTime(u.createdAt)}</td>
              <td class="actions">
                <Button
                  size="s"
                  variant="ghost"
                  icon="edit"
                  onClick={() => setDialog({ kind: 'edit', user: u })}
                >
                  Edit
                </Button>
                <Button
                  size="s"
                  variant="ghost"
                  icon="key"
                  onClick={() => setDialog({ kind: 'password', user: u })}
                >
                  Password
                </Button>
                {u.active ? (
                  <Button
                    size="s"
                    variant="danger-ghost"
                    disabled={u.id === me.value?.id}
                    title={u.id === me.value?.id ? 'You cannot deactivate yourself' : undefined}
                    onClick={() => setDialog({ kind: 'deactivate', user: u })}
                  >
                    Deactivate
                  </Button>
                ) : (
                  <Button
                    size="s"
                    variant="ghost"
                    onClick={fire(async () => {
                      try {
                        saved((await api.admin.updateAgent(u.id, { active: true })).user);
                        toast(`${u.name} is active again.`);
                      } catch (err) {
                        toast(errorMessage(err), 'error');
                      }
                    })}
                  >
                    Reactivate
                  </Button>
                )}
              </td>
            </tr>
          )}
          empty={<Empty title="No agents yet" icon="users" />}
        />
      </section>
      {dialog?.kind === 'create' || dialog?.kind === 'edit' ? (
        <AgentForm
          user={dialog.kind === 'edit' ? dialog.user : null}
          onClose={close}
          onSaved={saved}
        />
      ) : null}
      {dialog?.kind === 'password' ? <ResetPassword user={dialog.user} onClose={close} /> : null}
      {dialog?.kind === 'deactivate' ? (
        <ConfirmDialog
          title={`Deactivate ${dialog.user.name}?`}
          message={
            <>
              {dialog.user.name} is signed out at once, disappears from the shop’s widget and can no
              longer sign in. Their call history is kept. You can reactivate them later.
            </>
          }
          confirmLabel="Deactivate"
          onClose={close}
          onConfirm={fire(async () => {
            saved((await api.admin.updateAgent(dialog.user.id, { active: false })).user);
            toast(`${dialog.user.name} was deactivated.`);
          })}
        />
      ) : null}
    </div>
  );
}

function AgentForm({
  user,
  onClose,
  onSaved,
}: {
  user: User | null;
  onClose: () => void;
  onSaved: (u: User) => void;
}) {
  const [v, setV] = useState({
    name: user?.name ?? '',
    email: user?.email ?? '',
    password: '',
    profilePhotoUrl: user?.profilePhotoUrl ?? '',
  });
  const [role, setRole] = useState<UserRole>(user?.role ?? 'agent');
  const [tags, setTags] = useState<string[]>(user?.tags ?? []);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const form = useSubmit({ byCode: { FLX_ERR_CONFLICT: { field: 'email' } } });
  const errors: Record<string, string | null> = {
    name: check(v.name, required('Name'), maxLength(100)),
    email: check(v.email, required('Email'), email),
    password: user ? null : check(v.password, required('Password'), password),
    profilePhotoUrl: httpUrl(v.profilePhotoUrl),
  };
  const show = (k: keyof typeof v) => form.fieldErrors[k] ?? (touched[k] ? errors[k] : null);
  const set = (k: keyof typeof v) => (val: string) => {
    setV((s) => ({ ...s, [k]: val }));
    setTouched((t) => ({ ...t, [k]: true }));
    form.clearField(k);
  };
  const invalid = Object.values(errors).some(Boolean);
  return (
    <FormDialog
      title={user ? `Edit ${user.name}` : 'New agent'}
      id="agent-form"
      submitLabel={user ? 'Save changes' : 'Create agent'}
      busy={form.busy}
      error={form.formError}
      wide
      class="stack"
      onClose={onClose}
      onSubmit={async () => {
        setTouched({ name: true, email: true, password: true, profilePhotoUrl: true });
        if (invalid) return;
        await form.submit(async () => {
          const photo = v.profilePhotoUrl.trim();
          const res = user
            ? await api.admin.updateAgent(user.id, {
                name: v.name.trim(),
                email: v.email.trim(),
                role,
                tags,
                profilePhotoUrl: photo,
              })
            : await api.admin.createAgent({
                name: v.name.trim(),
                email: v.email.trim(),
                password: v.password,
                role,
                tags,
                ...(photo ? { profilePhotoUrl: photo } : {}),
              });
          onSaved(res.user);
          toast(user ? 'Agent saved.' : `${res.user.name} can now sign in.`);
          onClose();
        });
      }}
    >
      <div class="form-grid">
        <TextField
          autofocus
          label="Name"
          name="name"
          value={v.name}
          onValue={set('name')}
          error={show('name')}
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          value={v.email}
          onValue={set('email')}
          error={show('email')}
          autocomplete="off"
        />
        {!user ? (
          <TextField
            label="Initial password"
            name="password"
            type="password"
            autocomplete="new-password"
            value={v.password}
            onValue={set('password')}
            error={show('password')}
            hint="At least 10 characters. Share it privately; they can change it."
          />
        ) : null}
        <Field label="Role">
          {(ids) => (
            <select
              class="select"
              {...ids}
              value={role}
              onChange={(e) => setRole(e.currentTarget.value as UserRole)}
            >
              <option value="agent">Agent</option>
              <option value="admin">Admin (manages the channel)</option>
            </select>
          )}
        </Field>
        <TextField
          label="Photo URL"
          name="profilePhotoUrl"
          fieldClass={user ? '' : 'span-2'}
          value={v.profilePhotoUrl}
          onValue={set('profilePhotoUrl')}
          error={show('profilePhotoUrl')}
          placeholder="https://… (optional)"
        />
        <div class="span-2">
          <ChipsEditor label="Tags" tags={tags} onChange={setTags} error={form.fieldErrors.tags} />
        </div>
      </div>
    </FormDialog>
  );
}

function ResetPassword({ user, onClose }: { user: User; onClose: () => void }) {
  const [pw, setPw] = useState('');
  const form = useSubmit({ field: 'password' });
  const error = form.fieldErrors.password ?? password(pw);
  return (
    <FormDialog
      title={`Reset ${user.name}'s password`}
      id="reset-form"
      submitLabel="Set password"
      busy={form.busy}
      disabled={!pw || !!error}
      class="stack"
      onClose={onClose}
      onSubmit={async () => {
        if (!pw || error) return;
        await form.submit(async () => {
          await api.admin.resetPassword(user.id, pw);
          toast(`New password set for ${user.name}. Their other sessions were signed out.`);
          onClose();
        });
      }}
    >
      <p class="muted">Set a new password and share it with {user.name} privately.</p>
      <TextField
        autofocus
        label="New password"
        type="password"
        autocomplete="new-password"
        value={pw}
        onValue={(x) => {
          setPw(x);
          form.clearFields();
        }}
        error={error}
        hint="At least 10 characters."
      />
    </FormDialog>
  );
}
