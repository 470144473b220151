// Local sign-in and registration. Without JavaScript the sign-in form posts to /api/auth/login and is
// redirected; with it, both forms call the JSON API and show errors in place and as toasts.
import { useState, type SubmitEvent } from 'react';
import { ApiCallError, callApi } from './api.ts';
import { toast } from './toast.ts';

interface Props {
  next: string;
}

export default function AuthForm({ next }: Props) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const username = String(data.get('username') ?? '');
    const password = String(data.get('password') ?? '');
    setBusy(true);
    setError(null);
    try {
      if (mode === 'login') await callApi('/api/auth/login', { method: 'POST', json: { username, password } });
      else await callApi('/api/auth/register', { method: 'POST', json: { username, password, name: String(data.get('name') ?? '') || undefined } });
      toast(mode === 'login' ? '登录成功' : '注册成功，已登录', 'success');
      window.location.assign(next);
    } catch (caught) {
      const message = caught instanceof ApiCallError ? caught.message : '操作失败，请重试';
      setError(message);
      toast(message, 'error');
      setBusy(false);
    }
  }

  return (
    <div className="auth-form">
      <div className="auth-form__tabs" role="tablist" aria-label="登录方式">
        <button type="button" role="tab" aria-selected={mode === 'login'} className={mode === 'login' ? 'is-active' : ''} onClick={() => setMode('login')}>
          账号登录
        </button>
        <button type="button" role="tab" aria-selected={mode === 'register'} className={mode === 'register' ? 'is-active' : ''} onClick={() => setMode('register')}>
          注册新账号
        </button>
      </div>
      <form method="post" action="/api/auth/login" onSubmit={submit} className="form">
        <input type="hidden" name="next" value={next} />
        <label>
          用户名
          <input className="input" name="username" autoComplete="username" required minLength={3} maxLength={32} pattern="[A-Za-z0-9_]{3,32}" title="3–32 位字母、数字或下划线" />
        </label>
        {mode === 'register' && (
          <label>
            昵称（可选）
            <input className="input" name="name" maxLength={40} autoComplete="nickname" />
          </label>
        )}
        <label>
          密码
          <input
            className="input"
            name="password"
            type="password"
            required
            minLength={mode === 'register' ? 8 : 1}
            maxLength={128}
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
          />
        </label>
        {error && (
          <p className="field__error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? '请稍候…' : mode === 'login' ? '登录' : '注册并登录'}
        </button>
      </form>
    </div>
  );
}
