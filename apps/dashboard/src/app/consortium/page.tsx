/** Consortium view (consortium admins): runs and rounds live, per-centre metrics, curves, t-SNE, model versions. */
import { forbidden, redirect } from 'next/navigation';
import { ConsortiumView } from '../../components/consortium/consortium-view';
import { Header } from '../../components/header';
import { decide } from '../../lib/access';
import { currentSession } from '../../lib/server-session';

export const dynamic = 'force-dynamic';

export default async function ConsortiumPage() {
  const s = await currentSession();
  const d = decide(s, { kind: 'consortium' });
  if (d === 'signin' || !s) redirect('/');
  if (d === 'forbidden') forbidden();
  return (
    <>
      <Header title="Consortium" user={s.username} role="consortium admin" />
      <ConsortiumView />
    </>
  );
}
