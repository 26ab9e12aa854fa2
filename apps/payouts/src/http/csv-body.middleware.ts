// Settlement statements arrive as text/csv, which the shared JSON body parser leaves alone. Up
// to 50 MB: a 100,000-line statement is about 10 MB. Parser errors become problem+json answers.
import { HttpStatus, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { text } from 'express';
import { ProblemException } from '@cc/platform';

const parseCsv = text({ type: 'text/csv', limit: '50mb' });

@Injectable()
export class CsvBodyMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): Promise<void> {
    // rejecting (rather than next(err)) hands the error to Nest's exception filter
    return new Promise((resolve, reject) =>
      parseCsv(req, res, (err?: { status?: number; message?: string }) => {
        if (!err) return resolve(next());
        const status = err.status === 413 ? HttpStatus.PAYLOAD_TOO_LARGE : HttpStatus.BAD_REQUEST;
        reject(
          new ProblemException(
            status,
            status === 413 ? 'the statement is larger than 50 MB' : `the statement could not be read: ${err.message}`,
          ),
        );
      }),
    );
  }
}
