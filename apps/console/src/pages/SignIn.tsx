import { useState } from 'preact/hooks';
import { checkAll, email, required } from '../lib/validate.ts';
import { unlockAudio } from '../ring/Ringtone.ts';
import { rememberedChannel, signIn } from '../state/session.ts';
import { Button } from '../ui/Button.tsx';
import { TextField } from '../ui/Field.tsx';
import { Icon } from '../ui/Icon.tsx';
import { fire } from '../ui/fire.ts';
import { useSubmit } from '../ui/useSubmit.ts';

export function SignIn() {
  const [values, setValues] = useState({ channel: rememberedChannel(), email: '', password: '' });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const form = useSubmit();
  const errors = checkAll(values, {
    channel: [required('Channel')],
    email: [required('Email'), email],
    password: [required('Password')],
  });
  const show = (k: keyof typeof values) => form.fieldErrors[k] ?? (touched[k] ? errors[k] : null);
  const set = (k: keyof typeof values) => (v: string) => {
    setValues((s) => ({ ...s, [k]: v }));
    setTouched((t) => ({ ...t, [k]: true }));
    form.clearField(k);
    form.clearFormError();
  };
  return (
    <div class="auth">
      <div class="auth-art">
        <div class="brand" style={{ color: '#fff' }}>
          <span class="brand-mark" style={{ background: 'rgb(255 255 255 / 20%)' }}>
            <Icon name="phone" size={16} />
          </span>
          FluxPlayer Calls
        </div>
        <div>
          <h2>Talk to your shoppers, face to face.</h2>
          <p>
            Answer video calls from your shop's product pages, show products live and never miss a
            ring.
          </p>
        </div>
        <p class="small" style={{ opacity: 0.7 }}>
          Agent console
        </p>
      </div>
      <div class="auth-form">
        <form
          class="auth-card stack"
          noValidate
          onSubmit={fire(async (e) => {
            e.preventDefault();
            // The click that submits is a user gesture: unlock audio for the ringtone now.
            void unlockAudio();
            setTouched({ channel: true, email: true, password: true });
            if (Object.keys(errors).length) return;
            await form.submit(() => signIn(values.channel, values.email, values.password));
          })}
        >
          <div>
            <h1>Sign in</h1>
            <p class="muted">Use the account your shop's admin created for you.</p>
          </div>
          {form.formError ? (
            <div class="form-error" role="alert">
              {form.formError}
            </div>
          ) : null}
          <TextField
            label="Channel"
            name="channel"
            autocomplete="organization"
            placeholder="your-shop"
            value={values.channel}
            onValue={set('channel')}
            error={show('channel')}
            hint="Your shop's channel ID, remembered on this device."
          />
          <TextField
            label="Email"
            name="email"
            type="email"
            autocomplete="username"
            placeholder="you@shop.com"
            value={values.email}
            onValue={set('email')}
            error={show('email')}
          />
          <TextField
            label="Password"
            name="password"
            type="password"
            autocomplete="current-password"
            value={values.password}
            onValue={set('password')}
            error={show('password')}
          />
          <Button type="submit" variant="primary" size="l" block busy={form.busy}>
            Sign in
          </Button>
        </form>
      </div>
    </div>
  );
}
