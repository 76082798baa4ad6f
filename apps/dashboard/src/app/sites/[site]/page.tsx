/** Site view (that site's clinicians only): patients, slice viewer with explanations, segmentation. */
import { forbidden, redirect } from 'next/navigation';
import { Header } from '../../../components/header';
import { SiteView } from '../../../components/site/site-view';
import { decide } from '../../../lib/access';
import { currentSession } from '../../../lib/server-session';

export const dynamic = 'force-dynamic';

export default async function SitePage({ params }: { params: Promise<{ site: string }> }) {
  const { site } = await params;
  const s = await currentSession();
  const d = decide(s, { kind: 'site', site });
  if (d === 'signin' || !s) redirect('/');
  if (d === 'forbidden') forbidden();
  return (
    <>
      <Header title={`Site ${site}`} user={s.username} role={`clinician, site ${s.site}`} />
      <SiteView site={site} />
    </>
  );
}
