/** Account settings: status, name, photo, tags, password. */
import { useRef, useState } from 'preact/hooks';
import { api } from '../api/api.ts';
import { errorMessage } from '../api/http.ts';
import { check, httpUrl, maxLength, password, required } from '../lib/validate.ts';
import { applyUser, me, updateMe } from '../state/session.ts';
import { toast } from '../state/toast.ts';
import { Button } from '../ui/Button.tsx';
import { ChipsEditor } from '../ui/ChipsEditor.tsx';
import { TextField } from '../ui/Field.tsx';
import { Avatar, PageHead } from '../ui/misc.tsx';
import { StatusSwitch } from '../ui/StatusSwitch.tsx';
import { loadImage, PhotoCropper } from './settings/PhotoEditor.tsx';
import { fire } from '../ui/fire.ts';
import { useSubmit } from '../ui/useSubmit.ts';

export function Settings() {
  const user = me.value;
  if (!user) return null;
  return (
    <div>
      <PageHead title="Account settings" sub="How visitors see you in the shop’s call widget." />
      <div class="stack">
        <section class="card hero-status" aria-labelledby="status-h">
          <div style={{ flex: 1 }}>
            <h2 id="status-h">Status</h2>
            <p class="muted">
              When you are <strong>online</strong> and this console is open, visitors can call you.
              Calls you miss in a row set you offline.
            </p>
          </div>
          <StatusSwitch large />
        </section>
        <div class="grid-2">
          <ProfileCard key={user.id} />
          <div class="stack">
            <PhotoCard />
            <PasswordCard />
          </div>
        </div>
      </div>
    </div>
  );
}

function ProfileCard() {
  const user = me.value;
  if (!user) return null;
  const [name, setName] = useState(user.name);
  const [tags, setTags] = useState<string[]>(user.tags);
  const form = useSubmit({ formErrorTo: 'toast' });
  const nameError = form.fieldErrors.name ?? check(name, required('Name'), maxLength(100));
  const dirty = name.trim() !== user.name || tags.join(',') !== user.tags.join(',');
  return (
    <form
      class="card"
      noValidate
      data-testid="profile-form"
      onSubmit={fire(async (e) => {
        e.preventDefault();
        if (nameError || !dirty) return;
        await form.submit(async () => {
          await updateMe({ name: name.trim(), tags });
          toast('Profile saved. Visitors see the change right away.');
        });
      })}
    >
      <div class="card-head">
        <h3>Profile</h3>
      </div>
      <div class="card-body stack">
        <TextField
          label="Name"
          name="name"
          value={name}
          onValue={(v) => {
            setName(v);
            form.clearField('name');
          }}
          error={nameError}
          hint="Shown to visitors, e.g. in “Your call agent for today is …”."
          autocomplete="name"
        />
        <ChipsEditor
          label="Tags"
          tags={tags}
          onChange={(t) => {
            setTags(t);
            form.clearField('tags');
          }}
          error={form.fieldErrors.tags}
          hint="The shop routes calls by tag, e.g. fashion-support. Enter or comma to add."
        />
        <div class="form-actions">
          {dirty ? <span class="small muted">Unsaved changes</span> : null}
          <Button
            onClick={() => {
              setName(user.name);
              setTags(user.tags);
              form.clearFields();
            }}
            disabled={!dirty || form.busy}
          >
            Reset
          </Button>
          <Button type="submit" variant="primary" busy={form.busy} disabled={!dirty || !!nameError}>
            Save profile
          </Button>
        </div>
      </div>
    </form>
  );
}

function PhotoCard() {
  const user = me.value;
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  const [url, setUrl] = useState('');
  const urlForm = useSubmit({ field: 'profilePhotoUrl' });
  const [fileError, setFileError] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  /** Removing and using a URL each show both buttons busy. */
  const busy = removing || urlForm.busy;
  const input = useRef<HTMLInputElement>(null);
  const urlError = urlForm.fieldErrors.profilePhotoUrl ?? httpUrl(url);
  if (!user) return null;
  return (
    <section class="card">
      <div class="card-head">
        <h3>Profile photo</h3>
      </div>
      <div class="card-body stack">
        <div class="photo-edit">
          <Avatar name={user.name} url={user.profilePhotoUrl} size={88} />
          <div class="stack-s">
            <div class="row-wrap">
              <Button icon="upload" onClick={() => input.current?.click()}>
                Upload photo
              </Button>
              {user.profilePhotoUrl ? (
                <Button
                  variant="danger-ghost"
                  busy={busy}
                  onClick={fire(async () => {
                    setRemoving(true);
                    try {
                      await updateMe({ profilePhotoUrl: '' });
                      toast('Photo removed.');
                    } catch (err) {
                      toast(errorMessage(err), 'error');
                    } finally {
                      setRemoving(false);
                    }
                  })}
                >
                  Remove
                </Button>
              ) : null}
            </div>
            <span class="small muted">PNG, JPEG or WebP. You crop it to a square next.</span>
            {fileError ? (
              <span class="field-error" role="alert">
                {fileError}
              </span>
            ) : null}
          </div>
          <input
            ref={input}
            type="file"
            accept="image/png,image/jpeg,image/webp"
            class="sr-only"
            data-testid="photo-file"
            aria-label="Choose a profile photo"
            onChange={fire(async (e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (!file) return;
              setFileError(null);
              try {
                setImage(await loadImage(file));
              } catch (err) {
                setFileError(errorMessage(err));
              }
            })}
          />
        </div>
        <form
          class="row"
          style={{ alignItems: 'flex-start' }}
          noValidate
          onSubmit={fire(async (e) => {
            e.preventDefault();
            if (!url.trim() || urlError) return;
            await urlForm.submit(async () => {
              await updateMe({ profilePhotoUrl: url.trim() });
              setUrl('');
              toast('Photo updated.');
            });
          })}
        >
          <TextField
            fieldClass="spacer"
            label="…or use an image URL"
            placeholder="https://…/me.jpg"
            value={url}
            onValue={(v) => {
              setUrl(v);
              urlForm.clearFields();
            }}
            error={urlError}
            type="url"
          />
          <Button
            type="submit"
            busy={busy}
            disabled={!url.trim() || !!urlError}
            style={{ marginTop: '24px' }}
          >
            Use URL
          </Button>
        </form>
      </div>
      {image ? (
        <PhotoCropper
          image={image}
          onCancel={() => setImage(null)}
          onDone={async (blob) => {
            const res = await api.uploadPhoto(blob);
            applyUser(res);
            setImage(null);
            toast('Photo saved.');
          }}
        />
      ) : null}
    </section>
  );
}

function PasswordCard() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const form = useSubmit({
    formErrorTo: 'toast',
    byCode: {
      FLX_ERR_AUTH_INVALID_CREDENTIALS: {
        field: 'currentPassword',
        message: 'This is not your current password.',
      },
    },
  });
  const nextError = form.fieldErrors.newPassword ?? password(next);
  const curError = form.fieldErrors.currentPassword ?? null;
  return (
    <form
      class="card"
      noValidate
      onSubmit={fire(async (e) => {
        e.preventDefault();
        if (!current || !next || nextError) return;
        await form.submit(async () => {
          await api.changePassword({ currentPassword: current, newPassword: next });
          setCurrent('');
          setNext('');
          toast('Password changed.');
        });
      })}
    >
      <div class="card-head">
        <h3>Password</h3>
      </div>
      <div class="card-body stack">
        <TextField
          label="Current password"
          type="password"
          autocomplete="current-password"
          value={current}
          onValue={(v) => {
            setCurrent(v);
            form.clearFields();
          }}
          error={curError}
        />
        <TextField
          label="New password"
          type="password"
          autocomplete="new-password"
          value={next}
          onValue={(v) => {
            setNext(v);
            form.clearFields();
          }}
          error={nextError}
          hint="At least 10 characters."
        />
        <div class="form-actions">
          <Button type="submit" busy={form.busy} disabled={!current || !next || !!nextError}>
            Change password
          </Button>
        </div>
      </div>
    </form>
  );
}
