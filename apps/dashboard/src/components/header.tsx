'use client';
/** Top bar: where you are, who you are, sign out. */
export function Header({ title, user, role }: { title: string; user: string; role: string }) {
  const signOut = async () => {
    await fetch('/api/session', { method: 'DELETE' });
    window.location.assign('/');
  };
  return (
    <header className="top">
      <a className="brand" href="/">
        Unbox
      </a>
      <h1>{title}</h1>
      <span className="who">
        {user} <span className="badge">{role}</span>
      </span>
      <button type="button" onClick={() => void signOut()}>
        Sign out
      </button>
    </header>
  );
}
