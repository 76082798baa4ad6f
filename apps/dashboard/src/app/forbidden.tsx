/** 403 page (next/navigation `forbidden()`): signed in, but not for this area. */
export default function Forbidden() {
  return (
    <div className="signin panel" role="alert">
      <h1>403: not allowed</h1>
      <p>Your account cannot open this page. Consortium pages are for consortium admins; a site&apos;s pages are for that site&apos;s own clinicians.</p>
      <p>
        <a href="/">Sign in with another account</a>
      </p>
    </div>
  );
}
