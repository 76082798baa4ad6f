/** Sign-in: choose the consortium (admins, account on the coordinator) or a site (its clinicians, account on that site's agent). */
import { redirect } from 'next/navigation';
import { SignInForm } from '../components/signin-form';
import { homeOf } from '../lib/access';
import { config } from '../lib/config';
import { currentSession } from '../lib/server-session';

export const dynamic = 'force-dynamic';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ again?: string }> }) {
  const s = await currentSession();
  const { again } = await searchParams;
  if (s && !again) redirect(homeOf(s));
  let targets: { value: string; label: string }[] = [];
  let error: string | null = null;
  try {
    const cfg = config();
    targets = [...(cfg.coordinatorUrl ? [{ value: 'consortium', label: 'Consortium (coordinators)' }] : []), ...cfg.sites.map((x) => ({ value: x.site, label: `Site ${x.site} (clinicians)` }))];
  } catch (e) {
    error = (e as Error).message;
  }
  return (
    <div className="signin">
      <h1>Unbox dashboard</h1>
      <p className="muted">Federated, explainable medical imaging. Sign in with a consortium admin account or a clinician account of your hospital.</p>
      {error ? <div className="error" role="alert">Configuration error: {error}</div> : <SignInForm targets={targets} />}
    </div>
  );
}
