// The console's pages: sign in with a token (kept in an HttpOnly cookie), the one-page console,
// sign out. Without an ops token every page answers 401 (with the sign-in form) or 403.
import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { FORM_TYPE, JSON_TYPE, Principal, Public, TOKEN_COOKIE, tokenOf, TokenService } from '@cc/platform';
import { LoginDto } from './dto';
import { consolePage, loginPage } from './pages';

@ApiExcludeController()
@Controller()
export class ConsoleController {
  constructor(private readonly tokens: TokenService) {}

  @Get()
  @Public()
  page(@Req() req: Request, @Res() res: Response) {
    const token = tokenOf(req);
    let principal: Principal | undefined;
    try {
      principal = token ? this.tokens.verify(token) : undefined;
    } catch {
      principal = undefined;
    }
    res.type('html');
    if (!principal)
      return res.status(401).send(loginPage(token ? 'that token was refused (expired or not ours)' : undefined));
    if (principal.role !== 'ops')
      return res.status(403).send(loginPage(`a ${principal.role} token cannot open the operations console`));
    return res.status(200).send(consolePage(principal.sub));
  }

  @Post('login')
  @Public()
  @ApiConsumes(FORM_TYPE, JSON_TYPE) // the sign-in page posts a form
  @HttpCode(303)
  login(@Body() body: LoginDto, @Res() res: Response) {
    let principal: Principal;
    try {
      principal = this.tokens.verify(body.token.trim());
    } catch {
      return res.status(401).type('html').send(loginPage('that token was refused (expired or not ours)'));
    }
    if (principal.role !== 'ops')
      return res
        .status(403)
        .type('html')
        .send(loginPage(`a ${principal.role} token cannot open the operations console`));
    res.cookie(TOKEN_COOKIE, body.token.trim(), {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: 12 * 3600_000,
    });
    return res.redirect(303, '/');
  }

  @Post('logout')
  @Public()
  logout(@Res() res: Response) {
    res.clearCookie(TOKEN_COOKIE, { path: '/' });
    return res.redirect(303, '/');
  }
}
