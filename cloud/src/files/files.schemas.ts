import { z } from '@hono/zod-openapi';
import { objectKeyProblem } from '../storage/object-store.ts';

const EXAMPLE_ID = '3f0c7f5e-2b8a-4c1d-9e2f-6a7b8c9d0e1f';

/** A file's path, as a client names it: `/`-separated segments, none empty, `.` or `..`. */
export const FilePath = z
  .string()
  .min(1)
  .max(1024)
  .superRefine((path, ctx) => {
    const problem = objectKeyProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({ example: 'reports/2026/june.pdf', description: 'No leading /, no empty, . or .. segment' });

export const FileMeta = z
  .object({
    id: z.string(),
    path: z.string(),
    name: z.string().openapi({ description: 'The last segment of the path' }),
    size: z.number().int(),
    content_type: z.string().openapi({ description: 'Sniffed from the bytes; the declared type is not trusted' }),
    sha256: z.string(),
    created_at: z.string(),
    created_by: z.string().nullable().openapi({ description: 'Who uploaded it; null for an API key of the org' }),
  })
  .openapi('File', {
    example: {
      id: EXAMPLE_ID,
      path: 'reports/2026/june.pdf',
      name: 'june.pdf',
      size: 48213,
      content_type: 'application/pdf',
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      created_at: '2026-06-30T12:00:00.000Z',
      created_by: '0b6a3c1e-5d7f-4b8e-9a1c-2d3e4f5a6b7c',
    },
  });

export const FileUpload = z
  .object({
    id: z.string(),
    path: z.string(),
    parts: z.array(z.object({ number: z.number().int(), size: z.number().int() })),
    received: z.number().int().openapi({ description: 'Bytes received so far, over every part' }),
    created_at: z.string(),
  })
  .openapi('FileUpload', {
    example: {
      id: EXAMPLE_ID,
      path: 'backups/db.tar.gz',
      parts: [
        { number: 1, size: 8388608 },
        { number: 2, size: 8388608 },
      ],
      received: 16777216,
      created_at: '2026-06-30T12:00:00.000Z',
    },
  });

export const SignedUrl = z.object({ url: z.string(), expires_at: z.string() }).openapi('SignedFileUrl', {
  example: { url: 'https://iot.example.com/v1/files/download?token=eyJ...', expires_at: '2026-06-30T12:15:00.000Z' },
});

export const Usage = z
  .object({ bytes: z.number().int(), count: z.number().int() })
  .openapi('FileUsage', { example: { bytes: 104857600, count: 42 } });

/** The file's bytes as a request or response body. */
export const binary = (description: string) => ({
  description,
  content: { 'application/octet-stream': { schema: z.string().openapi({ type: 'string', format: 'binary' }) } },
});
