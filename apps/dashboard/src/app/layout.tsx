import type { ReactNode } from 'react';
import './globals.css';

export const metadata = { title: 'Unbox dashboard', description: 'Federated, explainable medical imaging: consortium and site views' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
